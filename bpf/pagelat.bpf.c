// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pagelat: how long the PCM mmap data fault takes, the path through
 * snd_pcm_mmap_data_fault() into the driver's .page callback, and how long
 * the .page op itself takes, per card, pcm and stream.  Latencies go into
 * per-CPU histograms that only ever grow; the CLI reads and subtracts, so
 * no sample is lost between intervals.
 *
 * The op is whatever function a substream's ops->page points to, known
 * only at run time: the CLI attaches the op programs below to each such
 * function in a second copy of this object that shares its maps (one
 * copy per function, as an fentry program is loaded for one target).  The
 * first fault of a stream announces its op on new_ops, for ops the CLI
 * did not find up front.
 *
 * The fault path is hot, so it avoids hash maps: the start time sits in a
 * per-CPU slot, and each PCM stream gets a histogram index once, cached
 * per CPU for the substream that faulted last.  Per-CPU array lookups are
 * inlined by the verifier.  A fault usually ends on the CPU it started
 * on; on PREEMPT_RT, where its locks sleep, it can be preempted and end
 * on another, and its end then looks for its start in the other CPUs'
 * slots.  An end whose start is nowhere (its entry probe was skipped, or
 * another fault took the slot) is counted, not guessed.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_STREAMS	64
/* the CPUs an end looks through for its start */
#define MAX_CPUS	256

struct span_time {
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
	__type(value, struct span_time);
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

/* the .page op's own time: the op's start, and histograms by stream index */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct span_time);
} op_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct sgscope_hist);
} op_latency SEC(".maps");

/* struct sgscope_pcm_info of each new stream, for the CLI to attach to */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} new_ops SEC(".maps");

__u32 next_index;
/* ends whose start was not seen */
__u64 unmatched;
/* more streams than MAX_STREAMS */
__u64 overflow;

static __always_inline int span_start(void *starts_map,
				       struct snd_pcm_substream *substream)
{
	__u32 zero = 0;
	struct span_time *start = bpf_map_lookup_elem(starts_map, &zero);

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
		if (info.page_op)
			bpf_ringbuf_output(&new_ops, &info, sizeof(info), 0);
		bpf_map_update_elem(&stream_index, &key, &fresh, BPF_NOEXIST);
		/* another CPU may have won the race: take its index */
		index = bpf_map_lookup_elem(&stream_index, &key);
		if (!index)
			return 0;
	}
	cache->index = *index;
	return 0;
}

/*
 * The start of the current task's span in another CPU's slot: it was
 * preempted and moved to this CPU.  A CPU past the last has no slot.
 */
static __always_inline struct span_time *start_elsewhere(void *starts_map, __u32 tid)
{
	struct span_time *start;
	__u32 zero = 0, cpu;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		start = bpf_map_lookup_percpu_elem(starts_map, &zero, cpu);
		if (!start)
			return NULL;
		if (start->ts && start->tid == tid)
			return start;
	}
	return NULL;
}

/* A fault's or an op's end: its time into hist_map, by stream index. */
static __always_inline int span_end(void *starts_map, void *hist_map,
				     struct snd_pcm_substream *substream,
				     bool error)
{
	__u64 id = bpf_get_current_pid_tgid(), delta;
	struct stream_cache *cache;
	struct span_time *start;
	struct sgscope_hist *h;
	__u32 zero = 0;

	start = bpf_map_lookup_elem(starts_map, &zero);
	if (!start)
		return 0;
	if (!start->ts || start->tid != (__u32)id) {
		start = start_elsewhere(starts_map, (__u32)id);
		if (!start) {
			__sync_fetch_and_add(&unmatched, 1);
			return 0;
		}
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
	h = bpf_map_lookup_elem(hist_map, &cache->index);
	if (h)
		sgscope_hist_record(h, delta, error);
	return 0;
}

/* vm_fault_t: VM_FAULT_SIGBUS and friends are errors */
#define FAULT_ERROR(ret)	(((ret) & 0xffff) != 0)

/* fentry: the start time only; fexit reads the substream from the vmf */
SEC("fentry")
int BPF_PROG(fault_enter_fentry, struct vm_fault *vmf)
{
	return span_start(&starts, NULL);
}

SEC("fexit")
int BPF_PROG(fault_exit_fexit, struct vm_fault *vmf, vm_fault_t ret)
{
	/* vmf is a trusted BTF pointer here: plain loads, no helper calls */
	return span_end(&starts, &latency, vmf->vma->vm_private_data,
			 FAULT_ERROR(ret));
}

/* kprobes: the kretprobe has no arguments, so the kprobe keeps them */
SEC("kprobe")
int BPF_KPROBE(fault_enter_kprobe, struct vm_fault *vmf)
{
	return span_start(&starts, BPF_CORE_READ(vmf, vma, vm_private_data));
}

SEC("kretprobe")
int BPF_KRETPROBE(fault_exit_kretprobe, long ret)
{
	return span_end(&starts, &latency, NULL, FAULT_ERROR(ret));
}

/*
 * The .page op: struct page *(*page)(struct snd_pcm_substream *substream,
 * unsigned long offset); a NULL page is the error (the core answers the
 * fault with SIGBUS).
 */
SEC("fentry")
int BPF_PROG(op_enter_fentry, struct snd_pcm_substream *substream)
{
	return span_start(&op_starts, NULL);
}

SEC("fexit")
int BPF_PROG(op_exit_fexit, struct snd_pcm_substream *substream,
	     unsigned long offset, struct page *ret)
{
	return span_end(&op_starts, &op_latency, substream, !ret);
}

SEC("kprobe")
int BPF_KPROBE(op_enter_kprobe, struct snd_pcm_substream *substream)
{
	return span_start(&op_starts, substream);
}

SEC("kretprobe")
int BPF_KRETPROBE(op_exit_kretprobe, long ret)
{
	return span_end(&op_starts, &op_latency, NULL, !ret);
}
