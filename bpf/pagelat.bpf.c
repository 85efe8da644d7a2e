// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pagelat: how long the PCM mmap data fault takes, the path through
 * snd_pcm_mmap_data_fault() into the driver's .page callback, per card,
 * pcm and stream.  Latencies go into per-CPU histograms that only ever
 * grow; the CLI reads and subtracts, so no sample is lost between
 * intervals.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct fault_start {
	__u64 ts;
	struct sgscope_pcm_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct fault_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct sgscope_pcm_key);
	__type(value, struct sgscope_hist);
} latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct sgscope_pcm_key);
	__type(value, struct sgscope_pcm_info);
} pcm_info SEC(".maps");

static __always_inline int fault_entry(struct vm_fault *vmf)
{
	struct snd_pcm_substream *substream;
	struct fault_start start = {};
	struct sgscope_pcm_info info = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!pid_wanted())
		return 0;
	substream = BPF_CORE_READ(vmf, vma, vm_private_data);
	if (!substream)
		return 0;
	start.key.card = BPF_CORE_READ(substream, pcm, card, number);
	start.key.pcm = BPF_CORE_READ(substream, pcm, device);
	start.key.stream = BPF_CORE_READ(substream, stream);
	if (!pcm_wanted(start.key.card, start.key.pcm))
		return 0;
	if (!bpf_map_lookup_elem(&pcm_info, &start.key)) {
		info.page_op = (__u64)BPF_CORE_READ(substream, ops, page);
		bpf_map_update_elem(&pcm_info, &start.key, &info, BPF_NOEXIST);
	}
	start.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &start, BPF_ANY);
	return 0;
}

static __always_inline int fault_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct fault_start *start = bpf_map_lookup_elem(&starts, &tid);
	struct sgscope_pcm_key key;
	__u64 delta;

	if (!start)
		return 0;
	delta = bpf_ktime_get_ns() - start->ts;
	key = start->key;
	bpf_map_delete_elem(&starts, &tid);
	/* vm_fault_t: VM_FAULT_SIGBUS and friends are errors, 0 is a page */
	hist_add(&latency, &key, delta, ret & 0xffff);
	return 0;
}

SGSCOPE_ENTRY1(fault_entry, fault_entry, struct vm_fault *)
SGSCOPE_EXIT(fault_exit, fault_exit, 1)
