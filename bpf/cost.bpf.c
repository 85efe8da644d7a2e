// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cost: a planted regression in any kernel function, without rebuilding
 * the kernel.  At the function's entry the program runs a loop of a fixed
 * number of iterations, each the same few instructions: under QEMU's
 * icount guest time is instructions executed, so the function gets
 * exactly that much slower, every call.  sgscope inject --cost loads one
 * copy of this object per function.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* iterations of spin() per call, set by the CLI before load */
const volatile __u32 iterations;

/* calls that paid the cost, and iterations run: the CLI reports them */
__u64 calls;
__u64 spun;

static long spin(__u64 i, void *ctx)
{
	/* one store per iteration: the loop is not optimised away */
	__sync_fetch_and_add(&spun, 1);
	return 0;
}

static __always_inline int pay(void)
{
	if (!iterations)
		return 0;
	bpf_loop(iterations, spin, NULL, 0);
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

SEC("fentry")
int BPF_PROG(cost_enter_fentry)
{
	return pay();
}

SEC("kprobe")
int BPF_KPROBE(cost_enter_kprobe)
{
	return pay();
}
