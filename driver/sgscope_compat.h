/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels snd-sgscope builds against: Linux 6.12
 * and 6.1 (Debian bookworm's distribution kernel).
 */
#ifndef SGSCOPE_COMPAT_H
#define SGSCOPE_COMPAT_H

#include <linux/build_bug.h>
#include <sound/memalloc.h>
#include "sgscope_ktypes.h"

/*
 * The kernel's buffer types are what the BPF programs read them as
 * (sgscope_ktypes.h): every build, against every kernel, checks that.
 */
static_assert(SNDRV_DMA_TYPE_CONTINUOUS == SGSCOPE_KTYPE_CONTINUOUS);
static_assert(SNDRV_DMA_TYPE_DEV == SGSCOPE_KTYPE_DEV);
static_assert(SNDRV_DMA_TYPE_DEV_WC == SGSCOPE_KTYPE_DEV_WC);
static_assert(SNDRV_DMA_TYPE_VMALLOC == SGSCOPE_KTYPE_VMALLOC);
static_assert(SNDRV_DMA_TYPE_NONCONTIG == SGSCOPE_KTYPE_NONCONTIG);
static_assert(SNDRV_DMA_TYPE_NONCOHERENT == SGSCOPE_KTYPE_NONCOHERENT);
#ifdef CONFIG_GENERIC_ALLOCATOR
static_assert(SNDRV_DMA_TYPE_DEV_IRAM == SGSCOPE_KTYPE_DEV_IRAM);
#endif
#ifdef CONFIG_SND_DMA_SGBUF
static_assert(SNDRV_DMA_TYPE_DEV_WC_SG == SGSCOPE_KTYPE_DEV_WC_SG);
#ifdef SNDRV_DMA_TYPE_DEV_SG_FALLBACK
/* 6.1: DEV_SG is NONCONTIG, the SG fallback has types of its own */
static_assert(SNDRV_DMA_TYPE_DEV_SG == SGSCOPE_KTYPE_NONCONTIG);
static_assert(SNDRV_DMA_TYPE_DEV_SG_FALLBACK == SGSCOPE_KTYPE_DEV_SG_FALLBACK);
static_assert(SNDRV_DMA_TYPE_DEV_WC_SG_FALLBACK == SGSCOPE_KTYPE_DEV_WC_SG_FALLBACK);
#else
static_assert(SNDRV_DMA_TYPE_DEV_SG == SGSCOPE_KTYPE_DEV_SG);
#endif
#endif

/*
 * kunit/ calls into the driver: export for it only when the Makefile says
 * the suite is built.  An out-of-tree copy of the driver built against a
 * kernel that has it built in would otherwise export everything twice.
 */
#ifdef SGSCOPE_KUNIT_EXPORTS
#include <kunit/static_stub.h>
#include <kunit/visibility.h>
#define EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(symbol) EXPORT_SYMBOL_IF_KUNIT(symbol)
#define SGSCOPE_STUB_REDIRECT(fn, args...) KUNIT_STATIC_STUB_REDIRECT(fn, args)
#else
#define EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(symbol) static_assert(sizeof(symbol))
#define SGSCOPE_STUB_REDIRECT(fn, args...) static_assert(sizeof(fn))
#endif

/*
 * Did a DEV_SG allocation fall back to chunked pages?  6.12 tries one
 * contiguous DEV allocation and keeps the DEV_SG type only for the chunked
 * fallback.  6.1 aliases DEV_SG to NONCONTIG and marks its chunked fallback
 * with the private type SNDRV_DMA_TYPE_DEV_SG_FALLBACK.
 */
static inline bool sgscope_dmab_fell_back(const struct snd_dma_buffer *dmab)
{
#ifdef SNDRV_DMA_TYPE_DEV_SG_FALLBACK
	return dmab->dev.type == SNDRV_DMA_TYPE_DEV_SG_FALLBACK;
#else
	return dmab->dev.type == SNDRV_DMA_TYPE_DEV_SG;
#endif
}

#endif /* SGSCOPE_COMPAT_H */
