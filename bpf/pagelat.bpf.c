// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pagelat: how long the PCM mmap data fault takes, the path through
 * snd_pcm_mmap_data_fault() into the driver's .page callback, per card,
 * pcm and stream.  Latencies go into per-CPU histograms that only ever
 * grow; the CLI reads and subtracts, so no sample is lost between
 * intervals.
 *
 * The fault path is hot, so it avoids hash maps: the start time sits in a
 * per-CPU slot (a fault does not sleep in .page, so it ends on the CPU it
 * started on; a mismatch is counted, not guessed), and each PCM stream
 * gets a histogram index once, cached per CPU for the substream that
 * faulted last.  Per-CPU array lookups are inlined by the verifier.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_STREAMS	64

struct fault_start {
	__u64 ts;
	__u32 tid;
	__u32 pad;
	struct snd_pcm_substream *substream;	/* kprobe mode only */
};

struct stream_cache {
	struct snd_pcm_substream *substream;
	__u32 index;
	__u32 wanted;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fault_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stream_cache);
} last_stream SEC(".maps");

/* card/pcm/stream -> index into latency; the CLI reads it to label them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_STREAMS);
	__type(key, struct sgscope_pcm_key);
	__type(value, __u32);
} stream_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct sgscope_hist);
} latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_STREAMS);
	__type(key, struct sgscope_pcm_key);
	__type(value, struct sgscope_pcm_info);
} pcm_info SEC(".maps");

__u32 next_index;
/* faults whose end was not seen on the CPU they started on */
__u64 unmatched;
/* more streams than MAX_STREAMS */
__u64 overflow;

static __always_inline int fault_start(struct snd_pcm_substream *substream)
{
	__u32 zero = 0;
	struct fault_start *start = bpf_map_lookup_elem(&starts, &zero);

	if (!start)
		return 0;
	start->tid = (__u32)bpf_get_current_pid_tgid();
	start->substream = substream;
	start->ts = bpf_ktime_get_ns();
	return 0;
}

/* First fault of a substream on this CPU: find or assign its index. */
static __noinline int stream_lookup(struct snd_pcm_substream *substream,
				    struct stream_cache *cache)
{
	struct sgscope_pcm_key key = {};
	struct sgscope_pcm_info info = {};
	__u32 *index, fresh;

	key.card = BPF_CORE_READ(substream, pcm, card, number);
	key.pcm = BPF_CORE_READ(substream, pcm, device);
	key.stream = BPF_CORE_READ(substream, stream);
	cache->substream = substream;
	cache->wanted = pcm_wanted(key.card, key.pcm);
	if (!cache->wanted)
		return 0;
	index = bpf_map_lookup_elem(&stream_index, &key);
	if (!index) {
		fresh = __sync_fetch_and_add(&next_index, 1);
		if (fresh >= MAX_STREAMS) {
			__sync_fetch_and_add(&overflow, 1);
			cache->wanted = 0;
			return 0;
		}
		info.page_op = (__u64)BPF_CORE_READ(substream, ops, page);
		bpf_map_update_elem(&pcm_info, &key, &info, BPF_NOEXIST);
		bpf_map_update_elem(&stream_index, &key, &fresh, BPF_NOEXIST);
		/* another CPU may have won the race: take its index */
		index = bpf_map_lookup_elem(&stream_index, &key);
		if (!index)
			return 0;
	}
	cache->index = *index;
	return 0;
}

static __always_inline int fault_end(struct snd_pcm_substream *substream,
				     long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), delta;
	struct stream_cache *cache;
	struct fault_start *start;
	struct sgscope_hist *h;
	__u32 zero = 0;

	start = bpf_map_lookup_elem(&starts, &zero);
	if (!start || !start->ts)
		return 0;
	if (start->tid != (__u32)id) {
		__sync_fetch_and_add(&unmatched, 1);
		return 0;
	}
	delta = bpf_ktime_get_ns() - start->ts;
	if (!substream)
		substream = start->substream;
	start->ts = 0;
	if (!pid_wanted() || !substream)
		return 0;
	cache = bpf_map_lookup_elem(&last_stream, &zero);
	if (!cache)
		return 0;
	if (cache->substream != substream)
		stream_lookup(substream, cache);
	if (!cache->wanted)
		return 0;
	h = bpf_map_lookup_elem(&latency, &cache->index);
	if (h)
		/* vm_fault_t: VM_FAULT_SIGBUS and friends are errors */
		hist_record(h, delta, ret & 0xffff);
	return 0;
}

/* fentry: the start time only; fexit reads the substream from the vmf */
SEC("fentry")
int BPF_PROG(fault_entry_fentry, struct vm_fault *vmf)
{
	return fault_start(NULL);
}

SEC("fexit")
int BPF_PROG(fault_exit_fexit, struct vm_fault *vmf, vm_fault_t ret)
{
	/* vmf is a trusted BTF pointer here: plain loads, no helper calls */
	return fault_end(vmf->vma->vm_private_data, ret);
}

/* kprobes: the kretprobe has no arguments, so the kprobe keeps them */
SEC("kprobe")
int BPF_KPROBE(fault_entry_kprobe, struct vm_fault *vmf)
{
	return fault_start(BPF_CORE_READ(vmf, vma, vm_private_data));
}

SEC("kretprobe")
int BPF_KRETPROBE(fault_exit_kretprobe, long ret)
{
	return fault_end(NULL, ret);
}
