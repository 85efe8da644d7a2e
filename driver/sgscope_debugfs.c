// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs (root only): per PCM stream the chunk layout and the descriptor
 * list, the driver's counters, and injection knobs in the style of
 * sound/drivers/pcmtest.c.
 *
 * In /sys/kernel/debug/sgscope/cardN:
 *   counters
 *   pcmP-{playback,capture}/{layout,descriptors}
 *   inject_fail_hw_params  fail the next N hw_params (-EIO)
 *   inject_fail_alloc      fail the next N buffer allocations (-ENOMEM)
 *   inject_irq_delay_us    busy-wait in the interrupt handler
 *                          (0 to SGSCOPE_IRQ_DELAY_MAX_US)
 *   inject_irqs_off_us     a write busy-waits this long with the writer's
 *                          CPU's interrupts off (0 to
 *                          SGSCOPE_IRQ_DELAY_MAX_US), once
 *   vmalloc_page           how pcm2's buffer reaches a mapping: lookup
 *                          (.page by vmalloc_to_page, as in the ALSA
 *                          guide's vmalloc section), cached (.page from a
 *                          page array built at hw_params) or premapped
 *                          (every page mapped at mmap, no .page call)
 *   page_delay_ns          busy-wait this much more in each pcm2 .page
 *                          call (0 to SGSCOPE_PAGE_DELAY_MAX_NS)
 *   max_buffer_kb          pcm1-3's largest buffer, from the next open
 *                          (SGSCOPE_MAX_BUFFER_KB_MIN to _MAX)
 *   plant_leak_every       leak a page every N periods (0, or
 *                          SGSCOPE_PLANT_LEAK_EVERY_MIN and up)
 *   plant_silence          silence the next N queued playback periods
 *   plant_corrupt          flip a byte in each of the next N captured
 *                          periods (sgscope_plant.c: defects for the soak)
 * A value out of range is refused with -EINVAL and changes nothing.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "sgscope.h"

static struct dentry *sgscope_debugfs_root;

static int counters_show(struct seq_file *m, void *unused)
{
	struct sgscope_chip *chip = m->private;
	struct sgscope_counters *c = &chip->counters;

	seq_printf(m, "interrupts %lld\n", atomic64_read(&c->interrupts));
	seq_printf(m, "refills %lld\n", atomic64_read(&c->refills));
	seq_printf(m, "page_callbacks %lld\n", atomic64_read(&c->page_callbacks));
	seq_printf(m, "fallbacks %lld\n", atomic64_read(&c->fallbacks));
	seq_printf(m, "allocations %lld\n", atomic64_read(&c->allocations));
	seq_printf(m, "alloc_failures %lld\n", atomic64_read(&c->alloc_failures));
	seq_printf(m, "xruns %lld\n", atomic64_read(&c->xruns));
	seq_printf(m, "live_buffers %d\n", atomic_read(&c->live_buffers));
	seq_printf(m, "live_sgtables %d\n", atomic_read(&c->live_sgtables));
	seq_printf(m, "live_mappings %d\n", atomic_read(&c->live_mappings));
	seq_printf(m, "live_desc_lists %d\n", atomic_read(&c->live_desc_lists));
	seq_printf(m, "live_buffer_pages %lld\n",
		   atomic64_read(&c->live_buffer_pages));
	seq_printf(m, "periods_playback %lld\n",
		   atomic64_read(&chip->engines[SGSCOPE_ENGINE_PO].periods));
	seq_printf(m, "periods_capture %lld\n",
		   atomic64_read(&chip->engines[SGSCOPE_ENGINE_PI].periods));
	seq_printf(m, "prealloc_playback_bytes %zu\n", chip->prealloc_got[0]);
	seq_printf(m, "prealloc_capture_bytes %zu\n", chip->prealloc_got[1]);
	seq_printf(m, "planted_leaked_pages %lld\n",
		   atomic64_read(&c->planted_leaked_pages));
	seq_printf(m, "planted_silenced_periods %lld\n",
		   atomic64_read(&c->planted_silenced_periods));
	seq_printf(m, "planted_corrupted_bytes %lld\n",
		   atomic64_read(&c->planted_corrupted_bytes));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counters);

static int layout_show(struct seq_file *m, void *unused)
{
	struct sgscope_stream *st = m->private;
	unsigned int i;

	mutex_lock(&st->chip->buf_mutex);
	seq_printf(m, "strategy %s\n", sgscope_strategy_names[st->strategy]);
	seq_printf(m, "dma_type %d\n", st->dma_type);
	seq_printf(m, "bytes %u\n", st->buffer_bytes);
	seq_printf(m, "chunks %u\n", st->layout.count);
	seq_printf(m, "min_chunk %u\n", st->layout.min_bytes);
	seq_printf(m, "max_chunk %u\n", st->layout.max_bytes);
	seq_printf(m, "fell_back %d\n", st->fell_back);
	seq_printf(m, "page_calls %lld\n", atomic64_read(&st->page_calls));
	for (i = 0; i < st->layout.count; i++)
		seq_printf(m, "chunk %u addr %pad bytes %u\n", i,
			   &st->layout.chunks[i].addr,
			   st->layout.chunks[i].bytes);
	mutex_unlock(&st->chip->buf_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(layout);

static int descriptors_show(struct seq_file *m, void *unused)
{
	struct sgscope_stream *st = m->private;
	unsigned int i;

	mutex_lock(&st->chip->buf_mutex);
	seq_printf(m, "entries %u\n", st->ndescs);
	seq_printf(m, "period_bytes %u\n", st->period_bytes);
	for (i = 0; i < st->ndescs; i++) {
		const struct sgscope_desc *d = &st->descs[i];

		seq_printf(m, "entry %u offset %u addr %#x bytes %u ioc %d period_end %d\n",
			   i, d->offset, d->addr, d->bytes, d->ioc, d->period_end);
	}
	mutex_unlock(&st->chip->buf_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(descriptors);

/*
 * The "sgscope" directory lives as long as the module: made before the
 * driver registers, removed after it unregisters, so that a reloaded
 * module finds no stale directory in the way of its own.  debugfs errors
 * are not fatal: a card then has no debugfs, and works.
 */
void sgscope_debugfs_register(void)
{
	sgscope_debugfs_root = debugfs_create_dir("sgscope", NULL);
}

void sgscope_debugfs_unregister(void)
{
	debugfs_remove_recursive(sgscope_debugfs_root);
	sgscope_debugfs_root = NULL;
}

static int u32_knob_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

/* The handler busy-waits this long with interrupts off: bounded. */
static int irq_delay_set(void *data, u64 val)
{
	if (val > SGSCOPE_IRQ_DELAY_MAX_US)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(irq_delay_fops, u32_knob_get, irq_delay_set, "%llu\n");

/*
 * Another driver's long section with interrupts off, on the CPU of the
 * task that writes: an interrupt due meanwhile comes late where
 * inject_irq_delay_us makes it slow.  It reads back the last value.
 */
static int irqs_off_set(void *data, u64 val)
{
	unsigned long flags;

	if (val > SGSCOPE_IRQ_DELAY_MAX_US)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	local_irq_save(flags);
	sgscope_busy_wait_ns(val * NSEC_PER_USEC);
	local_irq_restore(flags);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(irqs_off_fops, u32_knob_get, irqs_off_set, "%llu\n");

/* an extra cost on the page-fault path: bounded like the interrupt's */
static int page_delay_set(void *data, u64 val)
{
	if (val > SGSCOPE_PAGE_DELAY_MAX_NS)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(page_delay_fops, u32_knob_get, page_delay_set, "%llu\n");

/* 0 (never) or a page every SGSCOPE_PLANT_LEAK_EVERY_MIN periods or more */
static int leak_every_set(void *data, u64 val)
{
	if (val && (val < SGSCOPE_PLANT_LEAK_EVERY_MIN || val > U32_MAX))
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(leak_every_fops, u32_knob_get, leak_every_set, "%llu\n");

static int max_buffer_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data) / SZ_1K;
	return 0;
}

static int max_buffer_set(void *data, u64 val)
{
	if (val < SGSCOPE_MAX_BUFFER_KB_MIN || val > SGSCOPE_MAX_BUFFER_KB_MAX)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val * SZ_1K);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(max_buffer_fops, max_buffer_get, max_buffer_set, "%llu\n");

static const char *const sgscope_page_mode_names[] = {
	[SGSCOPE_PAGE_LOOKUP] = "lookup",
	[SGSCOPE_PAGE_CACHED] = "cached",
	[SGSCOPE_PAGE_PREMAPPED] = "premapped",
};

static ssize_t vmalloc_page_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	int *mode = file->private_data;
	char buf[16];
	int len;

	len = scnprintf(buf, sizeof(buf), "%s\n",
			sgscope_page_mode_names[READ_ONCE(*mode)]);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/* one of sgscope_page_mode_names, a trailing newline allowed */
static ssize_t vmalloc_page_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	int *mode = file->private_data;
	char buf[16] = {};
	int found;

	if (*ppos || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	found = sysfs_match_string(sgscope_page_mode_names, buf);
	if (found < 0)
		return -EINVAL;
	WRITE_ONCE(*mode, found);
	*ppos += count;
	return count;
}

static const struct file_operations vmalloc_page_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vmalloc_page_read,
	.write = vmalloc_page_write,
	.llseek = default_llseek,
};

void sgscope_debugfs_init(struct sgscope_chip *chip)
{
	char name[32];
	int pcm, dir;

	snprintf(name, sizeof(name), "card%d", chip->card->number);
	chip->debugfs = debugfs_create_dir(name, sgscope_debugfs_root);
	debugfs_create_file("counters", 0400, chip->debugfs, chip,
			    &counters_fops);
	debugfs_create_atomic_t("inject_fail_hw_params", 0600, chip->debugfs,
				&chip->inject.fail_hw_params);
	debugfs_create_atomic_t("inject_fail_alloc", 0600, chip->debugfs,
				&chip->inject.fail_alloc);
	debugfs_create_file_unsafe("inject_irq_delay_us", 0600, chip->debugfs,
				   &chip->inject.irq_delay_us, &irq_delay_fops);
	debugfs_create_file_unsafe("inject_irqs_off_us", 0600, chip->debugfs,
				   &chip->inject.irqs_off_us, &irqs_off_fops);
	debugfs_create_file("vmalloc_page", 0600, chip->debugfs,
			    &chip->knobs.vmalloc_page, &vmalloc_page_fops);
	debugfs_create_file_unsafe("page_delay_ns", 0600, chip->debugfs,
				   &chip->knobs.page_delay_ns, &page_delay_fops);
	debugfs_create_file_unsafe("max_buffer_kb", 0600, chip->debugfs,
				   &chip->knobs.max_buffer_bytes, &max_buffer_fops);
	debugfs_create_file_unsafe("plant_leak_every", 0600, chip->debugfs,
				   &chip->plant.leak_every, &leak_every_fops);
	debugfs_create_atomic_t("plant_silence", 0600, chip->debugfs,
				&chip->plant.silence);
	debugfs_create_atomic_t("plant_corrupt", 0600, chip->debugfs,
				&chip->plant.corrupt);
	for (pcm = 0; pcm < SGSCOPE_NUM_PCMS; pcm++) {
		for (dir = 0; dir < 2; dir++) {
			struct sgscope_stream *st = &chip->streams[pcm][dir];
			struct dentry *d;

			snprintf(name, sizeof(name), "pcm%d-%s", pcm,
				 dir == SNDRV_PCM_STREAM_PLAYBACK ? "playback" : "capture");
			d = debugfs_create_dir(name, chip->debugfs);
			debugfs_create_file("layout", 0400, d, st, &layout_fops);
			debugfs_create_file("descriptors", 0400, d, st,
					    &descriptors_fops);
		}
	}
}

void sgscope_debugfs_exit(struct sgscope_chip *chip)
{
	debugfs_remove_recursive(chip->debugfs);
	chip->debugfs = NULL;
}
