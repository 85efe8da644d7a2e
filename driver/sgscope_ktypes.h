/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef SGSCOPE_KTYPES_H
#define SGSCOPE_KTYPES_H

/*
 * include/sound/memalloc.h's SNDRV_DMA_TYPE_* as 6.1 and 6.12 number
 * them.  They are macros, so no BTF carries them for BPF to relocate by:
 * allocs.bpf.c reads a buffer's type with these and tells the two kernel
 * generations apart by the layout of ALSA's SG fallback.  Every build of
 * the driver asserts them against the kernel it is built for
 * (sgscope_compat.h).  Macros only: it builds in the kernel and in BPF.
 */
#define SGSCOPE_KTYPE_CONTINUOUS	1
#define SGSCOPE_KTYPE_DEV		2
#define SGSCOPE_KTYPE_DEV_SG		3	/* 6.12; in 6.1 DEV_SG is NONCONTIG */
#define SGSCOPE_KTYPE_DEV_IRAM		4
#define SGSCOPE_KTYPE_DEV_WC		5
#define SGSCOPE_KTYPE_DEV_WC_SG		6
#define SGSCOPE_KTYPE_VMALLOC		7
#define SGSCOPE_KTYPE_NONCONTIG		8
#define SGSCOPE_KTYPE_NONCOHERENT	9
#define SGSCOPE_KTYPE_DEV_SG_FALLBACK	10	/* 6.1 only */
#define SGSCOPE_KTYPE_DEV_WC_SG_FALLBACK 11	/* 6.1 only */

#endif /* SGSCOPE_KTYPES_H */
