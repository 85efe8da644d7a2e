/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers every sgscope BPF object uses: per-CPU histogram updates (the
 * slot is sgscope_shared.h's, which the CLI uses too), the pid filter, and the macros that give each probe
 * both an fentry/fexit and a kprobe/kretprobe form.  The CLI loads only one
 * form per probe, picked at run time by trying (see tools/sgscope/probe.c).
 */
#ifndef SGSCOPE_COMMON_BPF_H
#define SGSCOPE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sgscope_shared.h"

/* Filters, set by the CLI before load; -1 / 0 means "any". */
const volatile __s32 filter_card = -1;
const volatile __s32 filter_pcm = -1;
const volatile __u32 filter_pid;

/* The template a new per-CPU histogram starts from. */
struct sgscope_hist zero_hist;

static __always_inline bool pid_wanted(void)
{
	return !filter_pid || (bpf_get_current_pid_tgid() >> 32) == filter_pid;
}

static __always_inline bool pcm_wanted(__s32 card, __s32 pcm)
{
	return (filter_card < 0 || card == filter_card) &&
	       (filter_pcm < 0 || pcm == filter_pcm);
}

/* Add one sample to this CPU's copy of the histogram under key. */
static __always_inline void hist_add(void *map, const void *key, __u64 v,
				     bool error)
{
	struct sgscope_hist *h = bpf_map_lookup_elem(map, key);

	if (!h) {
		bpf_map_update_elem(map, key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(map, key);
		if (!h)
			return;
	}
	sgscope_hist_record(h, v, error);
}

/*
 * Every probe exists twice: fentry/fexit (cheapest, needs BTF and
 * trampolines) and kprobe/kretprobe (works wherever the symbol is in
 * kallsyms).  Both forms call the same __always_inline body with the
 * function's first arguments and, on exit, its return value.
 */
#define SGSCOPE_ENTRY1(name, body, t0)					\
SEC("fentry")								\
int BPF_PROG(name##_fentry, t0 a0)					\
{ return body(a0); }							\
SEC("kprobe")								\
int BPF_KPROBE(name##_kprobe, t0 a0)					\
{ return body(a0); }

#define SGSCOPE_ENTRY2(name, body, t0, t1)				\
SEC("fentry")								\
int BPF_PROG(name##_fentry, t0 a0, t1 a1)				\
{ return body(a0, a1); }						\
SEC("kprobe")								\
int BPF_KPROBE(name##_kprobe, t0 a0, t1 a1)				\
{ return body(a0, a1); }

/*
 * The same, for a body that reads through its arguments: it gets true in
 * the fentry program, whose pointers carry BTF and are loaded directly,
 * and false in the kprobe one, which reads with bpf_probe_read_kernel.
 * Each program's flag is a constant: the compiler keeps one way only.
 */
#define SGSCOPE_ENTRY1_BTF(name, body, t0)				\
SEC("fentry")								\
int BPF_PROG(name##_fentry, t0 a0)					\
{ return body(a0, true); }						\
SEC("kprobe")								\
int BPF_KPROBE(name##_kprobe, t0 a0)					\
{ return body(a0, false); }

#define SGSCOPE_ENTRY2_BTF(name, body, t0, t1)				\
SEC("fentry")								\
int BPF_PROG(name##_fentry, t0 a0, t1 a1)				\
{ return body(a0, a1, true); }						\
SEC("kprobe")								\
int BPF_KPROBE(name##_kprobe, t0 a0, t1 a1)				\
{ return body(a0, a1, false); }

/* Field f of p: a direct load where btf, else BPF_CORE_READ. */
#define SGSCOPE_READ(btf, p, f)	((btf) ? (p)->f : BPF_CORE_READ(p, f))

/* An exit probe of a function with nargs arguments returning long. */
#define SGSCOPE_EXIT(name, body, nargs)					\
SEC("fexit")								\
int name##_fexit(unsigned long long *ctx)				\
{ return body((long)ctx[nargs]); }					\
SEC("kretprobe")							\
int BPF_KRETPROBE(name##_kretprobe, long ret)				\
{ return body(ret); }

/* An exit probe that only needs to know the function returned. */
#define SGSCOPE_RETURN(name, body)					\
SEC("fexit")								\
int name##_fexit(unsigned long long *ctx)				\
{ return body(); }							\
SEC("kretprobe")							\
int name##_kretprobe(struct pt_regs *ctx)				\
{ return body(); }

#endif /* SGSCOPE_COMMON_BPF_H */
