// SPDX-License-Identifier: GPL-2.0
/*
 * snd-sgscope: a PCI driver for the Intel ICH AC97 controller (as QEMU
 * emulates it) with one PCM device per ALSA buffer strategy, made to trace,
 * measure and fault-inject those strategies.
 *
 * This file: module parameters, probe and remove, the shared interrupt and
 * the codec, which snd-ac97-codec drives through the mixer registers.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/timekeeping.h>
#include <sound/ac97_codec.h>
#include <sound/core.h>
#include <sound/initval.h>
#include "sgscope.h"

#define CREATE_TRACE_POINTS
#include "sgscope_trace.h"

static int index = SNDRV_DEFAULT_IDX1;
module_param(index, int, 0444);
MODULE_PARM_DESC(index, "Index value for the sgscope soundcard.");
static char *id = "sgscope";
module_param(id, charp, 0444);
MODULE_PARM_DESC(id, "ID string for the sgscope soundcard.");
/*
 * pcm0's preallocation per stream: 1 MiB, five seconds of 48 kHz stereo,
 * so that an application reading a second at a time has periods to spare
 * when the engine runs ahead in bursts.  ALSA's prealloc file in
 * /proc/asound resizes it.
 */
#define SGSCOPE_PREALLOC_BYTES	SZ_1M

/* AC97 codec access: wait for the codec access semaphore, then 16 bits. */
static void sgscope_codec_wait(struct sgscope_chip *chip)
{
	int i;

	/* reading CAS takes the semaphore when it reads clear */
	for (i = 0; i < SGSCOPE_POLLS; i++) {
		if (!(ioread8(chip->nabm + SGSCOPE_CAS) & SGSCOPE_CAS_BUSY))
			return;
		udelay(SGSCOPE_POLL_US);
	}
	dev_warn_ratelimited(&chip->pci->dev, "codec access semaphore stuck\n");
}

static unsigned short sgscope_codec_read(struct snd_ac97 *ac97,
					 unsigned short reg)
{
	struct sgscope_chip *chip = ac97->private_data;

	sgscope_codec_wait(chip);
	return ioread16(chip->nam + reg);
}

static void sgscope_codec_write(struct snd_ac97 *ac97, unsigned short reg,
				unsigned short val)
{
	struct sgscope_chip *chip = ac97->private_data;

	sgscope_codec_wait(chip);
	iowrite16(val, chip->nam + reg);
}

static const struct snd_ac97_bus_ops sgscope_ac97_ops = {
	.read = sgscope_codec_read,
	.write = sgscope_codec_write,
};

/*
 * Take the AC-link out of cold reset and wait, sleeping, for the primary
 * codec to say it is ready: until then its registers read as garbage.
 */
static int sgscope_link_reset(struct sgscope_chip *chip)
{
	u32 sta;
	int err;

	iowrite32(SGSCOPE_GLOB_CNT_COLD, chip->nabm + SGSCOPE_GLOB_CNT);
	err = read_poll_timeout(ioread32, sta, sta & SGSCOPE_GLOB_STA_PCR,
				SGSCOPE_CODEC_READY_POLL_US,
				SGSCOPE_CODEC_READY_MS * USEC_PER_MSEC, false,
				chip->nabm + SGSCOPE_GLOB_STA);
	if (err)
		dev_err(chip->dev, "codec not ready %d ms after cold reset (GLOB_STA %#x)\n",
			SGSCOPE_CODEC_READY_MS, sta);
	return err;
}

static int sgscope_codec_init(struct sgscope_chip *chip)
{
	struct snd_ac97_template template = {};
	struct snd_ac97_bus *bus;
	int err;

	err = sgscope_link_reset(chip);
	if (err)
		return err;
	err = snd_ac97_bus(chip->card, 0, &sgscope_ac97_ops, chip, &bus);
	if (err < 0)
		return err;
	template.private_data = chip;
	template.pci = chip->pci;
	template.scaps = AC97_SCAP_SKIP_MODEM;
	return snd_ac97_mixer(bus, &template, &chip->ac97);
}

/*
 * A busy-wait of ns.  Under a millisecond, one ndelay(), a few instructions
 * from exact.  Longer, a spin to one deadline: mdelay() chains udelay()s,
 * and each ends late by however long the CPU was away when it was due (in
 * a handler thread on PREEMPT_RT, which interrupts can take the CPU from,
 * 15 ms grew by up to 30% under TCG).  Out of line: the .page op that calls
 * it only when a delay is set keeps its fast path (inlined, the op grew by
 * 11 instructions with no delay set).
 */
void sgscope_busy_wait_ns(u32 ns)
{
	u64 end;

	if (ns < NSEC_PER_MSEC) {
		ndelay(ns);
		return;
	}
	end = ktime_get_mono_fast_ns() + ns;
	while (ktime_get_mono_fast_ns() < end)
		cpu_relax();
}

static irqreturn_t sgscope_interrupt(int irq, void *dev_id)
{
	struct sgscope_chip *chip = dev_id;
	u32 status, delay_us;
	int i;

	status = ioread32(chip->nabm + SGSCOPE_GLOB_STA);
	if (!(status & (SGSCOPE_GLOB_STA_PIINT | SGSCOPE_GLOB_STA_POINT |
			SGSCOPE_GLOB_STA_MINT)))
		return IRQ_NONE;	/* the shared line is someone else's */

	atomic64_inc(&chip->counters.interrupts);
	/* debugfs may change it at any time; it never exceeds the limit */
	delay_us = min_t(u32, READ_ONCE(chip->inject.irq_delay_us),
			 SGSCOPE_IRQ_DELAY_MAX_US);
	if (delay_us)
		sgscope_busy_wait_ns(delay_us * NSEC_PER_USEC);
	for (i = 0; i < SGSCOPE_NUM_ENGINES; i++)
		if (status & chip->engines[i].glob_sta_bit)
			sgscope_engine_interrupt(chip, &chip->engines[i]);
	/* the mic engine is never started; keep its status from holding INTx */
	if (status & SGSCOPE_GLOB_STA_MINT)
		iowrite16(SGSCOPE_SR_CLEAR, chip->nabm + SGSCOPE_MC_BASE + SGSCOPE_REG_SR);
	return IRQ_HANDLED;
}

/* Runs when the card is freed, before the managed PCI resources go. */
static void sgscope_card_free(struct snd_card *card)
{
	struct sgscope_chip *chip = card->private_data;

	sgscope_debugfs_exit(chip);
	if (chip->nabm)
		sgscope_engines_stop(chip);
	if (chip->irq >= 0)
		free_irq(chip->irq, chip);
}

static int __sgscope_probe(struct pci_dev *pci)
{
	struct sgscope_chip *chip;
	struct snd_card *card;
	int i, err;

	err = snd_devm_card_new(&pci->dev, index, id, THIS_MODULE,
				sizeof(*chip), &card);
	if (err < 0)
		return err;
	chip = card->private_data;
	chip->card = card;
	chip->pci = pci;
	chip->dev = &pci->dev;
	chip->irq = -1;
	chip->knobs.vmalloc_page = SGSCOPE_PAGE_LOOKUP;
	chip->knobs.max_buffer_bytes = SGSCOPE_MAX_BUFFER_KB_DEFAULT * SZ_1K;
	spin_lock_init(&chip->lock);
	mutex_init(&chip->buf_mutex);
	card->private_free = sgscope_card_free;

	err = pcim_enable_device(pci);
	if (err < 0)
		return err;
	/* QEMU clears PCI_COMMAND at realize: without this, no DMA */
	pci_set_master(pci);
	/* descriptors carry 32-bit addresses */
	err = dma_set_mask_and_coherent(&pci->dev, DMA_BIT_MASK(32));
	if (err)
		return err;
	/*
	 * Segments of any length: the descriptor list splits them at
	 * SGSCOPE_DESC_MAX_BYTES (PCI's default of 64 KiB made DMA_API_DEBUG
	 * report the longer ones ALSA maps)
	 */
	dma_set_max_seg_size(&pci->dev, UINT_MAX);
	err = pcim_iomap_regions(pci, BIT(0) | BIT(1), KBUILD_MODNAME);
	if (err)
		return err;
	chip->nam = pcim_iomap_table(pci)[0];
	chip->nabm = pcim_iomap_table(pci)[1];

	err = sgscope_engines_init(chip);
	if (err)
		return err;
	err = request_irq(pci->irq, sgscope_interrupt, IRQF_SHARED,
			  KBUILD_MODNAME, chip);
	if (err) {
		dev_err(&pci->dev, "cannot get irq %d\n", pci->irq);
		return err;
	}
	chip->irq = pci->irq;
	card->sync_irq = chip->irq;

	err = sgscope_codec_init(chip);
	if (err < 0)
		return err;
	for (i = 0; i < SGSCOPE_NUM_PCMS; i++) {
		err = sgscope_pcm_new(chip, i, SGSCOPE_PREALLOC_BYTES);
		if (err < 0)
			return err;
	}

	strscpy(card->driver, "sgscope", sizeof(card->driver));
	strscpy(card->shortname, "sgscope", sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname),
		 "sgscope buffer strategies on %s at %s irq %d",
		 snd_ac97_get_short_name(chip->ac97), pci_name(pci), chip->irq);
	sgscope_debugfs_init(chip);
	err = snd_card_register(card);
	if (err < 0)
		return err;
	pci_set_drvdata(pci, card);
	return 0;
}

static int sgscope_probe(struct pci_dev *pci, const struct pci_device_id *pci_id)
{
	return snd_card_free_on_error(&pci->dev, __sgscope_probe(pci));
}

/*
 * System sleep.  The PCM core has suspended every running stream (trigger
 * SUSPEND) before the card's device gets here.  The streams do not claim
 * SNDRV_PCM_INFO_RESUME: after a resume an application prepares them again
 * (alsa-lib does on -ESTRPIPE), which reprograms the engines.
 */
static int sgscope_suspend(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct sgscope_chip *chip = card->private_data;

	snd_power_change_state(card, SNDRV_CTL_POWER_D3hot);
	sgscope_engines_stop(chip);
	snd_ac97_suspend(chip->ac97);
	return 0;
}

/* The controller and the codec may have lost power: set both up again. */
static int sgscope_resume(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct sgscope_chip *chip = card->private_data;
	int err;

	err = sgscope_link_reset(chip);
	if (err) {
		snd_card_disconnect(card);
		return err;
	}
	sgscope_engines_stop(chip);
	snd_ac97_resume(chip->ac97);
	snd_power_change_state(card, SNDRV_CTL_POWER_D0);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(sgscope_pm, sgscope_suspend, sgscope_resume);

static const struct pci_device_id sgscope_ids[] = {
	{ PCI_VDEVICE(INTEL, 0x2415) },	/* 82801AA AC97, as QEMU's "AC97" */
	{ }
};
MODULE_DEVICE_TABLE(pci, sgscope_ids);

static struct pci_driver sgscope_driver = {
	.name = KBUILD_MODNAME,
	.id_table = sgscope_ids,
	.probe = sgscope_probe,
	.driver = {
		.pm = pm_sleep_ptr(&sgscope_pm),
	},
};

static int __init sgscope_init(void)
{
	int err;

	sgscope_debugfs_register();
	err = pci_register_driver(&sgscope_driver);
	if (err)
		sgscope_debugfs_unregister();
	return err;
}

/*
 * initcall_blacklist= matches initcalls by name, module inits included: a
 * module's init goes by a name of its own, so that a kernel with the
 * driver built in can keep that copy from registering
 * (initcall_blacklist=sgscope_init) and load a module build beside it.
 */
#ifdef MODULE
static int __init sgscope_module_init(void)
{
	return sgscope_init();
}
module_init(sgscope_module_init);
#else
module_init(sgscope_init);
#endif

static void __exit sgscope_exit(void)
{
	pci_unregister_driver(&sgscope_driver);
	sgscope_debugfs_unregister();
}
module_exit(sgscope_exit);

MODULE_DESCRIPTION("ALSA buffer strategies (prealloc, SG, vmalloc, noncontig) on the Intel ICH AC97 controller");
MODULE_LICENSE("GPL");
