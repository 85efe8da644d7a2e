/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels snd-sgscope builds against: Linux 6.12
 * (the project's kernel) and 6.1 (Debian bookworm's distribution kernel).
 */
#ifndef SGSCOPE_COMPAT_H
#define SGSCOPE_COMPAT_H

#include <linux/build_bug.h>
#include <sound/memalloc.h>

/*
 * EXPORT_SYMBOL_IF_KUNIT arrived in 6.2 (the Makefile looks for its header):
 * before it, export nothing.
 */
#ifdef SGSCOPE_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol) static_assert(sizeof(symbol))
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
