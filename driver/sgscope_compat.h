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
