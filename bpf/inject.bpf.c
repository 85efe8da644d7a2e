// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * inject: make ALSA buffer allocations fail, and count what the kernel's
 * own fault injection (failslab, fail_page_alloc, fail-nth) injected.
 *
 * Scoped failures: a thread is marked while it is inside
 * snd_dma_alloc_dir_pages(); should_fail_alloc_page() (and, for --all,
 * should_failslab()) says "fail" only for marked threads, so ALSA's
 * contiguous attempt fails and its SG fallback runs while the rest of the
 * system allocates as usual.  Both hooks are on the kernel's
 * error-injection list, which is what fmod_ret needs.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ENOMEM		12
/* __GFP_NOFAIL allocations are never failed (the enum is in vmlinux.h) */
#define GFP_NOFAIL	(1U << ___GFP_NOFAIL_BIT)

/* --order K: page allocations of order >= min_order fail */
const volatile __u32 min_order;
/* --all: slab allocations fail too */
const volatile bool fail_slab;
const volatile __u32 probability = 100;	/* percent */
const volatile __u64 max_times;		/* 0: no limit */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} inside SEC(".maps");

/* what was injected, by the scoped hooks or by the kernel's knobs */
__u64 injected_pages;
__u64 injected_slab;
/* allocation calls seen inside ALSA buffer allocation */
__u64 scoped_calls;
__u64 kernel_pages;
__u64 kernel_slab;

static __always_inline int mark(void *unused)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1, *depth;

	depth = bpf_map_lookup_elem(&inside, &tid);
	if (depth)
		(*depth)++;
	else
		bpf_map_update_elem(&inside, &tid, &one, BPF_ANY);
	return 0;
}

static __always_inline int unmark(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), *depth;

	depth = bpf_map_lookup_elem(&inside, &tid);
	if (depth && --(*depth) == 0)
		bpf_map_delete_elem(&inside, &tid);
	return 0;
}

SGSCOPE_ENTRY1(mark_enter, mark, void *)
SGSCOPE_RETURN(mark_exit, unmark)

/* One more injection, if marked, lucky and under the limit. */
static __always_inline bool inject_now(__u64 *counter)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!bpf_map_lookup_elem(&inside, &tid))
		return false;
	__sync_fetch_and_add(&scoped_calls, 1);
	if (probability < 100 && bpf_get_prandom_u32() % 100 >= probability)
		return false;
	if (max_times && injected_pages + injected_slab >= max_times)
		return false;
	__sync_fetch_and_add(counter, 1);
	return true;
}

SEC("fmod_ret/should_fail_alloc_page")
int BPF_PROG(fail_page, gfp_t gfp_mask, unsigned int order)
{
	if (order < min_order || (gfp_mask & GFP_NOFAIL))
		return 0;
	return inject_now(&injected_pages) ? 1 : 0;
}

SEC("fmod_ret/should_failslab")
int BPF_PROG(fail_slab_alloc, struct kmem_cache *s, gfp_t gfp_mask)
{
	if (!fail_slab || (gfp_mask & GFP_NOFAIL))
		return 0;
	return inject_now(&injected_slab) ? -ENOMEM : 0;
}

/* The kernel's own injection (debugfs knobs, fail-nth): count its yeses. */
SEC("fexit/should_fail_alloc_page")
int BPF_PROG(count_page, gfp_t gfp_mask, unsigned int order, bool ret)
{
	if (ret)
		__sync_fetch_and_add(&kernel_pages, 1);
	return 0;
}

SEC("fexit/should_failslab")
int BPF_PROG(count_slab, struct kmem_cache *s, gfp_t gfp_mask, int ret)
{
	if (ret)
		__sync_fetch_and_add(&kernel_slab, 1);
	return 0;
}
