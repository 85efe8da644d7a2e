/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-sgscope: ALSA buffer strategies on the Intel ICH AC97 controller.
 *
 * Shared definitions of the driver's parts: the chip, the four PCM buffer
 * strategies, the descriptor-list builder and the 32-slot ring.
 */
#ifndef SGSCOPE_H
#define SGSCOPE_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <sound/core.h>
#include <sound/memalloc.h>
#include <sound/pcm.h>
#include "sgscope_names.h"

struct snd_ac97;
struct dentry;

/* Bus-master (NABM, BAR1) register blocks, one per engine. */
#define SGSCOPE_PI_BASE		0x00	/* PCM in: capture */
#define SGSCOPE_PO_BASE		0x10	/* PCM out: playback */
#define SGSCOPE_MC_BASE		0x20	/* mic in: never started */

/* Registers of an engine's block, at its base. */
#define SGSCOPE_REG_BDBAR	0x00	/* u32: descriptor list address */
#define SGSCOPE_REG_CIV		0x04	/* u8: current index */
#define SGSCOPE_REG_LVI		0x05	/* u8: last valid index */
#define SGSCOPE_REG_SR		0x06	/* u16: status */
#define SGSCOPE_REG_PICB	0x08	/* u16: samples left in current entry */
#define SGSCOPE_REG_PIV		0x0a	/* u8: prefetched index */
#define SGSCOPE_REG_CR		0x0b	/* u8: control */

#define SGSCOPE_SR_DCH		0x01	/* DMA controller halted */
#define SGSCOPE_SR_CELV		0x02	/* current equals last valid */
#define SGSCOPE_SR_LVBCI	0x04	/* last valid entry completed */
#define SGSCOPE_SR_BCIS		0x08	/* entry with IOC completed */
#define SGSCOPE_SR_FIFOE	0x10	/* FIFO error */
#define SGSCOPE_SR_CLEAR	(SGSCOPE_SR_LVBCI | SGSCOPE_SR_BCIS | SGSCOPE_SR_FIFOE)

#define SGSCOPE_CR_RPBM		0x01	/* run */
#define SGSCOPE_CR_RR		0x02	/* reset registers (clears BDBAR too) */
#define SGSCOPE_CR_LVBIE	0x04
#define SGSCOPE_CR_FEIE		0x08
#define SGSCOPE_CR_IOCE		0x10

#define SGSCOPE_GLOB_CNT	0x2c
#define SGSCOPE_GLOB_STA	0x30
#define SGSCOPE_CAS		0x34
#define SGSCOPE_CAS_BUSY	BIT(0)	/* set on read: someone else has the codec */
#define SGSCOPE_GLOB_STA_PIINT	BIT(5)
#define SGSCOPE_GLOB_STA_POINT	BIT(6)
#define SGSCOPE_GLOB_STA_MINT	BIT(7)
#define SGSCOPE_GLOB_CNT_COLD	BIT(1)	/* AC-link out of cold reset */
#define SGSCOPE_GLOB_STA_PCR	BIT(8)	/* primary codec ready */
/*
 * A codec may take hundreds of milliseconds to say it is ready after the
 * AC-link leaves cold reset; a second without it means no codec.
 */
#define SGSCOPE_CODEC_READY_MS		1000
#define SGSCOPE_CODEC_READY_POLL_US	1000

/* Descriptor list entries: u32 address, u32 length in samples + flags. */
#define SGSCOPE_BD_IOC		BIT(31)
#define SGSCOPE_BD_BUP		BIT(30)
#define SGSCOPE_RING_SLOTS	32
#define SGSCOPE_FRAME_BYTES	4		/* S16_LE stereo */
#define SGSCOPE_DESC_MAX_BYTES	(0xfffe * 2)	/* 0xfffe samples of 2 bytes */
/*
 * The ring is refilled from the interrupt handler, and interrupts come only
 * from entries with IOC.  IOC marks every period end; a period that spans
 * many entries also gets IOC every SGSCOPE_REFILL_EVERY entries, so the
 * engine never runs more than that many entries without a refill however
 * the buffer is chunked.
 */
#define SGSCOPE_REFILL_EVERY	8
/*
 * Longest descriptor list for one buffer (the largest buffer max_buffer_kb
 * allows, 8 MiB, of single pages with 1024 periods needs 3072).
 */
#define SGSCOPE_MAX_DESCS	4096

enum sgscope_engine_id {
	SGSCOPE_ENGINE_PI,	/* PCM in: capture */
	SGSCOPE_ENGINE_PO,	/* PCM out: playback */
	SGSCOPE_NUM_ENGINES
};

/*
 * How pcm2's buffer reaches a mapping: .page finds each page on its first
 * touch, by vmalloc_to_page() or from the page array; or .mmap maps the
 * whole array at mmap time, so that no touch faults.
 */
enum sgscope_vmalloc_page_mode {
	SGSCOPE_PAGE_LOOKUP,	/* vmalloc_to_page() on every call */
	SGSCOPE_PAGE_CACHED,	/* page array filled at hw_params */
	SGSCOPE_PAGE_PREMAPPED,	/* no .page calls: mapped at mmap time */
};

/* One DMA-contiguous run of the buffer. */
struct sgscope_chunk {
	dma_addr_t addr;
	unsigned int bytes;
};

/* The buffer's chunks in buffer order. */
struct sgscope_layout {
	struct sgscope_chunk *chunks;
	unsigned int count;
	unsigned int min_bytes;
	unsigned int max_bytes;
};

/* One entry of the descriptor list for a whole buffer (any length). */
struct sgscope_desc {
	u32 addr;
	u32 bytes;		/* whole frames, at most SGSCOPE_DESC_MAX_BYTES */
	u32 offset;		/* where it starts in the buffer */
	bool ioc;		/* interrupt on completion */
	bool period_end;	/* completes a period: snd_pcm_period_elapsed */
};

/*
 * The hardware's 32 slots fed from the descriptor list in order, lap after
 * lap.  Pure bookkeeping: the caller writes the slots and LVI it returns.
 */
struct sgscope_ring {
	const struct sgscope_desc *list;
	unsigned int count;
	u16 slot_entry[SGSCOPE_RING_SLOTS];	/* list index in each slot */
	unsigned int next_entry;		/* next list index to feed */
	u8 civ_seen;				/* CIV at the last advance */
	u8 lvi;
};

/* A descriptor the ring asks to be written into a hardware slot. */
typedef void (*sgscope_slot_writer)(void *ctx, unsigned int slot,
				    const struct sgscope_desc *desc,
				    unsigned int entry);

/* Driver-wide counters; the live_* gauges return to zero after hw_free. */
struct sgscope_counters {
	atomic64_t interrupts;
	atomic64_t refills;
	atomic64_t page_callbacks;
	atomic64_t fallbacks;
	atomic64_t allocations;
	atomic64_t alloc_failures;
	atomic64_t xruns;
	atomic_t live_buffers;
	atomic_t live_sgtables;
	atomic_t live_mappings;
	atomic_t live_desc_lists;
	/* pages pcm1 and pcm3 buffers hold from the page allocator */
	atomic64_t live_buffer_pages;
	/* what sgscope_plant.c planted */
	atomic64_t planted_leaked_pages;
	atomic64_t planted_silenced_periods;
	atomic64_t planted_corrupted_bytes;
};

/* Fault injection through debugfs, in the style of sound/drivers/pcmtest. */
struct sgscope_inject {
	atomic_t fail_hw_params;	/* fail the next N hw_params (-EIO) */
	atomic_t fail_alloc;		/* fail the next N allocations (-ENOMEM) */
	u32 irq_delay_us;		/* busy-wait this long in the handler */
	u32 irqs_off_us;		/* the last irqs-off busy-wait asked for */
};

/* Defects planted through debugfs for the soak to find (sgscope_plant.c). */
struct sgscope_plant {
	u32 leak_every;			/* leak a page every N periods, 0: never */
	atomic64_t periods;		/* the card's periods, for leak_every */
	atomic_t silence;		/* playback periods still to silence */
	atomic_t corrupt;		/* captured periods still to corrupt */
};

/*
 * plant_leak_every's least value but 0: a page every 100 periods of 1024
 * frames is 1.8 KiB a second, 6.7 MiB an hour (a trend the soak must see,
 * where the test machine's 2 GiB last)
 */
#define SGSCOPE_PLANT_LEAK_EVERY_MIN	100

/*
 * The longest busy-wait inject_irq_delay_us and inject_irqs_off_us take:
 * 50 ms, over twice the shortest buffer the driver allows
 * (SGSCOPE_BUFFER_TIME_MIN_US), so one slow or late interrupt can run a
 * low-latency stream dry.
 */
#define SGSCOPE_IRQ_DELAY_MAX_US	50000

/*
 * Knobs of the buffer paths, set per card through debugfs
 * (sgscope_debugfs.c) and read locklessly where they apply: a new value
 * takes effect at the next open (max_buffer_bytes), mmap or page fault.
 */
struct sgscope_knobs {
	int vmalloc_page;		/* enum sgscope_vmalloc_page_mode */
	u32 page_delay_ns;		/* added to each pcm2 .page call */
	u32 max_buffer_bytes;		/* pcm1-3's largest buffer */
};

/*
 * longest extra busy-wait page_delay_ns may add to each pcm2 .page call:
 * nanoseconds plant a regression in the fault path, milliseconds a fault
 * stall that makes a client miss its deadline (sgscope xrun's checks)
 */
#define SGSCOPE_PAGE_DELAY_MAX_NS	(50 * NSEC_PER_MSEC)

void sgscope_busy_wait_ns(u32 ns);

/* pcm1-3's largest buffer unless debugfs max_buffer_kb says otherwise */
#define SGSCOPE_MAX_BUFFER_KB_DEFAULT	4096U
/*
 * max_buffer_kb's range: at the top, the longest descriptor list fits
 * SGSCOPE_MAX_DESCS; at the bottom, a 48 kHz stream still has buffer
 * lengths to choose above the 20 ms minimum (3840 bytes).
 */
#define SGSCOPE_MAX_BUFFER_KB_MIN	16U
#define SGSCOPE_MAX_BUFFER_KB_MAX	8192U

/*
 * Register polls (an engine's reset, the codec access semaphore): this
 * many reads, this many microseconds apart.
 */
#define SGSCOPE_POLLS		100
#define SGSCOPE_POLL_US		10

struct sgscope_chip;

/* One direction of one PCM device: its buffer, layout and descriptors. */
struct sgscope_stream {
	struct sgscope_chip *chip;
	enum sgscope_strategy strategy;
	int direction;			/* SNDRV_PCM_STREAM_* */
	struct snd_pcm_substream *substream;

	/* pcm1-3: the buffer this driver allocated (pcm0's is the core's) */
	struct snd_dma_buffer dmab;
	bool own_buffer;
	/* pcm2: the vmalloc pages, their sg_table and its mapping */
	struct page **pages;
	unsigned int npages;
	struct sg_table sgt;
	bool sgt_mapped;

	struct sgscope_layout layout;
	struct sgscope_desc *descs;
	unsigned int ndescs;
	unsigned int buffer_bytes;
	unsigned int period_bytes;
	bool fell_back;
	int dma_type;			/* resulting SNDRV_DMA_TYPE_* */
	atomic64_t page_calls;
};

struct sgscope_engine {
	enum sgscope_engine_id id;
	unsigned int base;		/* offset in the bus-master BAR */
	u32 glob_sta_bit;
	__le32 *bdl;			/* 32 slots x (addr, ctl) */
	dma_addr_t bdl_addr;
	struct sgscope_stream *active;	/* opened on this engine */
	struct sgscope_ring ring;
	bool running;
	atomic64_t periods;		/* period ends seen by the interrupt */
};

struct sgscope_chip {
	struct snd_card *card;
	struct pci_dev *pci;
	struct device *dev;		/* for DMA: the PCI device's */
	void __iomem *nam;		/* BAR0: codec mixer */
	void __iomem *nabm;		/* BAR1: bus master */
	int irq;
	spinlock_t lock;		/* engines and rings */
	struct mutex buf_mutex;		/* stream buffers vs. debugfs */
	struct snd_ac97 *ac97;
	struct sgscope_stream streams[SGSCOPE_NUM_PCMS][2];
	struct sgscope_engine engines[SGSCOPE_NUM_ENGINES];
	struct sgscope_counters counters;
	struct sgscope_inject inject;
	struct sgscope_plant plant;
	struct sgscope_knobs knobs;
	struct dentry *debugfs;
	size_t prealloc_got[2];		/* pcm0's preallocated bytes at probe */
};

extern const char *const sgscope_strategy_names[SGSCOPE_NUM_PCMS];

/* sgscope_bdl.c: descriptor list and ring (pure, no hardware access) */
int sgscope_bdl_build(const struct sgscope_layout *layout,
		      unsigned int buffer_bytes, unsigned int period_bytes,
		      struct sgscope_desc *out, unsigned int max_out);
void sgscope_ring_start(struct sgscope_ring *ring,
			const struct sgscope_desc *list, unsigned int count,
			sgscope_slot_writer write, void *ctx);
unsigned int sgscope_ring_advance(struct sgscope_ring *ring, u8 civ,
				  sgscope_slot_writer write, void *ctx);
unsigned int sgscope_ring_position(const struct sgscope_ring *ring, u8 civ,
				   u16 picb);

/* sgscope_buffer.c: the four strategies */
int sgscope_layout_from_dmab(struct snd_dma_buffer *dmab, unsigned int bytes,
			     struct sgscope_layout *layout);
int sgscope_layout_from_sgt(struct sg_table *sgt, unsigned int bytes,
			    struct sgscope_layout *layout);
void sgscope_layout_free(struct sgscope_layout *layout);
int sgscope_dma_alloc(int type, struct device *dev, enum dma_data_direction dir,
		      size_t size, struct snd_dma_buffer *dmab);
int sgscope_buffer_alloc(struct sgscope_stream *st, struct device *dev,
			 size_t bytes);
void sgscope_buffer_free(struct sgscope_stream *st, struct device *dev);
int sgscope_buffer_setup(struct sgscope_stream *st, struct snd_dma_buffer *dmab,
			 unsigned int bytes, unsigned int period_bytes);
void sgscope_buffer_release(struct sgscope_stream *st, struct device *dev);
bool sgscope_sg_pages_refcounted(struct sgscope_stream *st);
struct page *sgscope_sg_page(struct sgscope_stream *st, unsigned long offset);
struct page *sgscope_vmalloc_page(struct sgscope_stream *st,
				  unsigned long offset,
				  enum sgscope_vmalloc_page_mode mode);
void sgscope_buffer_sync(struct sgscope_stream *st, struct device *dev,
			 bool for_device);

/* sgscope_engine.c */
struct sgscope_engine *sgscope_stream_engine(struct sgscope_stream *st);
int sgscope_engines_init(struct sgscope_chip *chip);
void sgscope_engines_stop(struct sgscope_chip *chip);
void sgscope_engine_reset(struct sgscope_chip *chip,
			  struct sgscope_engine *engine);
int sgscope_engine_wait_halted(struct sgscope_chip *chip,
			       struct sgscope_engine *engine);
void sgscope_engine_prepare(struct sgscope_chip *chip,
			    struct sgscope_engine *engine,
			    struct sgscope_stream *st);
void sgscope_engine_start(struct sgscope_chip *chip,
			  struct sgscope_engine *engine);
void sgscope_engine_stop(struct sgscope_chip *chip,
			 struct sgscope_engine *engine);
unsigned int sgscope_engine_position(struct sgscope_chip *chip,
				     struct sgscope_engine *engine,
				     struct sgscope_stream *st);

/* sgscope_plant.c: defects planted through debugfs, for the soak */
void sgscope_plant_period(struct sgscope_chip *chip,
			  struct sgscope_engine *engine,
			  struct sgscope_stream *st,
			  struct snd_pcm_substream *substream,
			  unsigned int periods);
void sgscope_engine_interrupt(struct sgscope_chip *chip,
			      struct sgscope_engine *engine);

/* sgscope_pcm.c */
int sgscope_pcm_new(struct sgscope_chip *chip, enum sgscope_strategy strategy,
		    size_t prealloc_bytes);
int sgscope_prealloc(struct sgscope_chip *chip, struct snd_pcm *pcm,
		     size_t bytes);

/* sgscope_debugfs.c */
void sgscope_debugfs_register(void);
void sgscope_debugfs_unregister(void);
void sgscope_debugfs_init(struct sgscope_chip *chip);
void sgscope_debugfs_exit(struct sgscope_chip *chip);

#endif /* SGSCOPE_H */
