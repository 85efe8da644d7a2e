/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The buffer strategies' names, which snd-sgscope shares with the sgscope
 * tools.  The driver, its trace events and the CLI include this file; the
 * host's scripts read it through tools/bench/names.py, and the guest's
 * read the names from the driver (each PCM is named after its strategy).
 * It includes nothing and builds in the kernel and in user space alike.
 */
#ifndef SGSCOPE_NAMES_H
#define SGSCOPE_NAMES_H

/* The buffer strategies, one PCM device each, in device order. */
enum sgscope_strategy {
	SGSCOPE_PREALLOC,	/* pcm0: DEV, preallocated with fallback */
	SGSCOPE_SG,		/* pcm1: DEV_SG, chunked fallback */
	SGSCOPE_VMALLOC,	/* pcm2: VMALLOC + own sg_table */
	SGSCOPE_NONCONTIG,	/* pcm3: NONCONTIG */
	SGSCOPE_NUM_PCMS
};

/* Each strategy's name: its PCM's name, the trace events' strategy= */
#define SGSCOPE_PREALLOC_NAME	"prealloc"
#define SGSCOPE_SG_NAME		"sg"
#define SGSCOPE_VMALLOC_NAME	"vmalloc"
#define SGSCOPE_NONCONTIG_NAME	"noncontig"

#endif /* SGSCOPE_NAMES_H */
