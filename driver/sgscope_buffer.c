// SPDX-License-Identifier: GPL-2.0
/*
 * The four buffer strategies: what each allocates, how its chunk layout is
 * read, and how its page callback finds a page.
 *
 *   pcm0 prealloc   SNDRV_DMA_TYPE_DEV, preallocated by the core at probe
 *   pcm1 sg         SNDRV_DMA_TYPE_DEV_SG: contiguous first, chunked fallback
 *   pcm2 vmalloc    SNDRV_DMA_TYPE_VMALLOC + this driver's own sg_table,
 *                   mapped with dma_map_sgtable
 *   pcm3 noncontig  SNDRV_DMA_TYPE_NONCONTIG
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "sgscope.h"
#include "sgscope_compat.h"

const char *const sgscope_strategy_names[SGSCOPE_NUM_PCMS] = {
	[SGSCOPE_PREALLOC] = SGSCOPE_PREALLOC_NAME,
	[SGSCOPE_SG] = SGSCOPE_SG_NAME,
	[SGSCOPE_VMALLOC] = SGSCOPE_VMALLOC_NAME,
	[SGSCOPE_NONCONTIG] = SGSCOPE_NONCONTIG_NAME,
};
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_strategy_names);

static enum dma_data_direction sgscope_dma_dir(const struct sgscope_stream *st)
{
	return st->direction == SNDRV_PCM_STREAM_PLAYBACK ?
		DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

static void sgscope_layout_add(struct sgscope_layout *layout, dma_addr_t addr,
			       unsigned int bytes)
{
	layout->chunks[layout->count].addr = addr;
	layout->chunks[layout->count].bytes = bytes;
	layout->count++;
	if (layout->count == 1 || bytes < layout->min_bytes)
		layout->min_bytes = bytes;
	if (bytes > layout->max_bytes)
		layout->max_bytes = bytes;
}

static int sgscope_layout_alloc(struct sgscope_layout *layout,
				unsigned int max_chunks)
{
	memset(layout, 0, sizeof(*layout));
	layout->chunks = kvcalloc(max_chunks, sizeof(*layout->chunks),
				  GFP_KERNEL);
	return layout->chunks ? 0 : -ENOMEM;
}

/*
 * The chunk layout as ALSA reports it (snd_sgbuf_get_addr and
 * snd_sgbuf_get_chunk_size, which snd_pcm_sgbuf_get_* wrap): one chunk for
 * a contiguous buffer, the allocator's runs for an SG or non-contiguous one.
 */
int sgscope_layout_from_dmab(struct snd_dma_buffer *dmab, unsigned int bytes,
			     struct sgscope_layout *layout)
{
	unsigned int ofs, max_chunks = DIV_ROUND_UP(bytes, PAGE_SIZE);
	int err;

	err = sgscope_layout_alloc(layout, max_chunks);
	if (err)
		return err;
	for (ofs = 0; ofs < bytes; ) {
		unsigned int len = snd_sgbuf_get_chunk_size(dmab, ofs, bytes - ofs);

		if (!len || layout->count >= max_chunks) {
			sgscope_layout_free(layout);
			return -EINVAL;
		}
		sgscope_layout_add(layout, snd_sgbuf_get_addr(dmab, ofs), len);
		ofs += len;
	}
	return 0;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_layout_from_dmab);

/* The chunk layout of a mapped sg_table: one chunk per DMA segment. */
int sgscope_layout_from_sgt(struct sg_table *sgt, unsigned int bytes,
			    struct sgscope_layout *layout)
{
	struct scatterlist *sg;
	unsigned int left = bytes;
	int i, err;

	err = sgscope_layout_alloc(layout, sgt->nents);
	if (err)
		return err;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		unsigned int len = min(sg_dma_len(sg), left);

		if (!len)
			break;
		sgscope_layout_add(layout, sg_dma_address(sg), len);
		left -= len;
	}
	if (left) {
		sgscope_layout_free(layout);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_layout_from_sgt);

void sgscope_layout_free(struct sgscope_layout *layout)
{
	kvfree(layout->chunks);
	memset(layout, 0, sizeof(*layout));
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_layout_free);

/* pcm2: a sg_table over the vmalloc'ed pages, mapped for the device. */
static int sgscope_vmalloc_map(struct sgscope_stream *st, struct device *dev)
{
	struct sgscope_counters *cnt = &st->chip->counters;
	unsigned int i;
	int err;

	st->npages = PAGE_ALIGN(st->dmab.bytes) >> PAGE_SHIFT;
	st->pages = kvmalloc_array(st->npages, sizeof(*st->pages), GFP_KERNEL);
	if (!st->pages)
		return -ENOMEM;
	for (i = 0; i < st->npages; i++)
		st->pages[i] = vmalloc_to_page(st->dmab.area + i * PAGE_SIZE);

	err = sg_alloc_table_from_pages(&st->sgt, st->pages, st->npages, 0,
					st->dmab.bytes, GFP_KERNEL);
	if (err)
		goto free_pages;
	atomic_inc(&cnt->live_sgtables);
	err = dma_map_sgtable(dev, &st->sgt, sgscope_dma_dir(st), 0);
	if (err)
		goto free_table;
	st->sgt_mapped = true;
	atomic_inc(&cnt->live_mappings);
	return 0;

free_table:
	sg_free_table(&st->sgt);
	atomic_dec(&cnt->live_sgtables);
free_pages:
	kvfree(st->pages);
	st->pages = NULL;
	return err;
}

static void sgscope_vmalloc_unmap(struct sgscope_stream *st, struct device *dev)
{
	struct sgscope_counters *cnt = &st->chip->counters;

	if (st->sgt_mapped) {
		dma_unmap_sgtable(dev, &st->sgt, sgscope_dma_dir(st), 0);
		st->sgt_mapped = false;
		atomic_dec(&cnt->live_mappings);
	}
	if (st->sgt.sgl) {
		sg_free_table(&st->sgt);
		memset(&st->sgt, 0, sizeof(st->sgt));
		atomic_dec(&cnt->live_sgtables);
	}
	kvfree(st->pages);
	st->pages = NULL;
	st->npages = 0;
}

/* The allocator call, a point KUnit can redirect. */
int sgscope_dma_alloc(int type, struct device *dev, enum dma_data_direction dir,
		      size_t size, struct snd_dma_buffer *dmab)
{
	SGSCOPE_STUB_REDIRECT(sgscope_dma_alloc, type, dev, dir, size, dmab);
	return snd_dma_alloc_dir_pages(type, dev, dir, size, dmab);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_dma_alloc);

/*
 * The pages a pcm1 or pcm3 buffer takes from the page allocator, which no
 * counter of the kernel's names (a memory trend must not count them as
 * leaked); pcm2's are in the kernel's vmalloc count.
 */
static long sgscope_buffer_pages(const struct sgscope_stream *st)
{
	if (st->strategy == SGSCOPE_VMALLOC)
		return 0;
	return PAGE_ALIGN(st->dmab.bytes) >> PAGE_SHIFT;
}

/*
 * pcm1-3: allocate the buffer in hw_params (no preallocation, so every
 * hw_params shows what the allocator does now).  The debugfs knob
 * inject_fail_alloc fails it as the allocator would.
 */
int sgscope_buffer_alloc(struct sgscope_stream *st, struct device *dev,
			 size_t bytes)
{
	struct sgscope_counters *cnt = &st->chip->counters;
	int type, err;

	switch (st->strategy) {
	case SGSCOPE_SG:
		type = SNDRV_DMA_TYPE_DEV_SG;
		break;
	case SGSCOPE_VMALLOC:
		type = SNDRV_DMA_TYPE_VMALLOC;
		break;
	case SGSCOPE_NONCONTIG:
		type = SNDRV_DMA_TYPE_NONCONTIG;
		break;
	default:
		return -EINVAL;
	}

	if (atomic_add_unless(&st->chip->inject.fail_alloc, -1, 0)) {
		err = -ENOMEM;
		goto failed;
	}
	/* vmalloc needs no device: the mapping below is this driver's own */
	err = sgscope_dma_alloc(type, type == SNDRV_DMA_TYPE_VMALLOC ? NULL : dev,
				sgscope_dma_dir(st), bytes, &st->dmab);
	if (err)
		goto failed;
	st->own_buffer = true;
	atomic_inc(&cnt->live_buffers);
	atomic64_inc(&cnt->allocations);
	atomic64_add(sgscope_buffer_pages(st), &cnt->live_buffer_pages);

	if (type == SNDRV_DMA_TYPE_VMALLOC) {
		err = sgscope_vmalloc_map(st, dev);
		if (err) {
			sgscope_buffer_free(st, dev);
			goto failed;
		}
	}
	return 0;

failed:
	atomic64_inc(&cnt->alloc_failures);
	return err;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_buffer_alloc);

void sgscope_buffer_free(struct sgscope_stream *st, struct device *dev)
{
	sgscope_vmalloc_unmap(st, dev);
	if (st->own_buffer) {
		atomic64_sub(sgscope_buffer_pages(st),
			     &st->chip->counters.live_buffer_pages);
		snd_dma_free_pages(&st->dmab);
		memset(&st->dmab, 0, sizeof(st->dmab));
		st->own_buffer = false;
		atomic_dec(&st->chip->counters.live_buffers);
	}
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_buffer_free);

/*
 * Read the chunk layout of the first @bytes of @dmab (or of pcm2's mapping)
 * and build the descriptor list for the given period size.
 */
int sgscope_buffer_setup(struct sgscope_stream *st, struct snd_dma_buffer *dmab,
			 unsigned int bytes, unsigned int period_bytes)
{
	int n, err;

	/* a preallocated buffer may be larger than what hw_params asked */
	if (bytes > dmab->bytes)
		return -EINVAL;
	if (st->strategy == SGSCOPE_VMALLOC)
		err = sgscope_layout_from_sgt(&st->sgt, bytes, &st->layout);
	else
		err = sgscope_layout_from_dmab(dmab, bytes, &st->layout);
	if (err)
		return err;

	n = sgscope_bdl_build(&st->layout, bytes, period_bytes, NULL, 0);
	if (n < 0 || n > SGSCOPE_MAX_DESCS) {
		err = n < 0 ? n : -EINVAL;
		goto free_layout;
	}
	st->descs = kvmalloc_array(n, sizeof(*st->descs), GFP_KERNEL);
	if (!st->descs) {
		err = -ENOMEM;
		goto free_layout;
	}
	st->ndescs = sgscope_bdl_build(&st->layout, bytes, period_bytes,
				       st->descs, n);
	atomic_inc(&st->chip->counters.live_desc_lists);
	st->buffer_bytes = bytes;
	st->period_bytes = period_bytes;
	st->dma_type = dmab->dev.type;
	st->fell_back = st->strategy == SGSCOPE_SG && sgscope_dmab_fell_back(dmab);
	return 0;

free_layout:
	sgscope_layout_free(&st->layout);
	return err;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_buffer_setup);

/* Undo sgscope_buffer_setup() and free what sgscope_buffer_alloc() got. */
void sgscope_buffer_release(struct sgscope_stream *st, struct device *dev)
{
	if (st->descs) {
		kvfree(st->descs);
		st->descs = NULL;
		st->ndescs = 0;
		atomic_dec(&st->chip->counters.live_desc_lists);
	}
	sgscope_layout_free(&st->layout);
	sgscope_buffer_free(st, dev);
	st->buffer_bytes = 0;
	st->period_bytes = 0;
	st->fell_back = false;
	st->dma_type = SNDRV_DMA_TYPE_UNKNOWN;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_buffer_release);

/*
 * Can pcm1's buffer be mapped page by page?  Only if each page carries its
 * own reference count: the SG fallback's pages (split by alloc_pages_exact)
 * and the pages an IOMMU allocated do, and ALSA vmaps both.  A buffer in the
 * direct map is one non-compound high-order block, whatever its type: a
 * dma_alloc_coherent() DEV buffer, or (in 6.1, where DEV_SG is NONCONTIG)
 * dma_alloc_noncontiguous() without an IOMMU, a one-entry table over such
 * a block.  A fault would take and drop a reference on a tail page whose
 * count is 0, and so free it under the device.
 */
bool sgscope_sg_pages_refcounted(struct sgscope_stream *st)
{
	return is_vmalloc_addr(st->dmab.area);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_sg_pages_refcounted);

/*
 * pcm1's .page: over the SG table when the allocation fell back; a
 * contiguous DEV buffer is direct-mapped, or vmap'ed when an IOMMU
 * remapped it, and virt_to_page() is only right for the former.
 */
struct page *sgscope_sg_page(struct sgscope_stream *st, unsigned long offset)
{
	struct snd_dma_buffer *dmab = &st->dmab;
	void *addr;

	if (offset >= dmab->bytes)
		return NULL;
	if (dmab->dev.type != SNDRV_DMA_TYPE_DEV)
		return snd_sgbuf_get_page(dmab, offset);
	addr = dmab->area + offset;
	return is_vmalloc_addr(addr) ? vmalloc_to_page(addr) : virt_to_page(addr);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_sg_page);

/* pcm2's .page: vmalloc_to_page() as the ALSA guide does, or the cached page array. */
struct page *sgscope_vmalloc_page(struct sgscope_stream *st,
				  unsigned long offset,
				  enum sgscope_vmalloc_page_mode mode)
{
	if (offset >= st->dmab.bytes)
		return NULL;
	/* premapped: the core calls .page only for what mmap did not map */
	if (mode != SGSCOPE_PAGE_LOOKUP)
		return st->pages[offset >> PAGE_SHIFT];
	return vmalloc_to_page(st->dmab.area + offset);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_vmalloc_page);

/*
 * pcm1's SG fallback: ALSA 6.12 maps it with dma_map_sgtable() but gives it
 * no sync op and leaves need_sync clear, so the core never syncs it.  When
 * the mapping bounces (swiotlb), sync each chunk at its DMA address;
 * swiotlb finds the bounce slots by address.
 */
static void sgscope_sg_fallback_sync(struct sgscope_stream *st,
				     struct device *dev, bool for_device)
{
	unsigned int i;

	if (!st->fell_back || !st->layout.count ||
	    !dma_need_sync(dev, st->layout.chunks[0].addr))
		return;
	for (i = 0; i < st->layout.count; i++) {
		if (for_device)
			dma_sync_single_for_device(dev, st->layout.chunks[i].addr,
						   st->layout.chunks[i].bytes,
						   sgscope_dma_dir(st));
		else
			dma_sync_single_for_cpu(dev, st->layout.chunks[i].addr,
						st->layout.chunks[i].bytes,
						sgscope_dma_dir(st));
	}
}

/*
 * Streaming mappings need explicit syncs (they copy when swiotlb bounces,
 * and are free otherwise on x86): for the device after the application
 * wrote, for the CPU before it reads.  pcm2 maps its own sg_table; pcm1's
 * SG fallback is mapped by ALSA, which does not sync it.
 */
void sgscope_buffer_sync(struct sgscope_stream *st, struct device *dev,
			 bool for_device)
{
	if (st->strategy == SGSCOPE_SG) {
		sgscope_sg_fallback_sync(st, dev, for_device);
		return;
	}
	if (!st->sgt_mapped)
		return;
	if (for_device)
		dma_sync_sgtable_for_device(dev, &st->sgt, sgscope_dma_dir(st));
	else
		dma_sync_sgtable_for_cpu(dev, &st->sgt, sgscope_dma_dir(st));
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_buffer_sync);
