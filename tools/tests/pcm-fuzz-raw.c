// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-fuzz's raw half: the kernel's own hw_params and sw_params
 * structures, filled at random, and random mappings of the device.
 */
#include <errno.h>
#include <limits.h>
#include <sound/asound.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pcm-fuzz.h"

#define MASK_WORDS	((SNDRV_MASK_MAX + 31) / 32)
#define MAPS_PER_ROUND	3

static struct snd_mask *hw_mask(struct snd_pcm_hw_params *p, int param)
{
	return &p->masks[param - SNDRV_PCM_HW_PARAM_FIRST_MASK];
}

static struct snd_interval *hw_interval(struct snd_pcm_hw_params *p, int param)
{
	return &p->intervals[param - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
}

/* The whole configuration space, then some of it narrowed at random. */
static void random_hw_params(struct snd_pcm_hw_params *p)
{
	int i, w;

	memset(p, 0, sizeof(*p));
	for (i = SNDRV_PCM_HW_PARAM_FIRST_MASK; i <= SNDRV_PCM_HW_PARAM_LAST_MASK; i++)
		for (w = 0; w < MASK_WORDS; w++)
			hw_mask(p, i)->bits[w] = chance(70) ? ~0U : (uint32_t)rnd();
	for (i = SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; i <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL; i++) {
		struct snd_interval *in = hw_interval(p, i);

		in->max = UINT_MAX;
		if (chance(30)) {
			in->min = chance(50) ? pick(1 << 20) : (uint32_t)rnd();
			in->max = chance(50) ? in->min + pick(1 << 16) : (uint32_t)rnd();
			in->openmin = chance(20);
			in->openmax = chance(20);
			in->integer = chance(30);
			in->empty = chance(5);
		}
	}
	p->rmask = chance(90) ? ~0U : (uint32_t)rnd();
	p->flags = chance(90) ? 0 : (uint32_t)rnd();
}

static void random_sw_params(struct snd_pcm_sw_params *sw, unsigned long buffer)
{
	memset(sw, 0, sizeof(*sw));
	sw->tstamp_mode = pick(3);
	sw->period_step = chance(90) ? 1 : pick(4);
	sw->avail_min = chance(80) ? pick(buffer + 1) : rnd();
	sw->start_threshold = chance(80) ? pick(buffer + 1) : rnd();
	sw->stop_threshold = chance(80) ? buffer : rnd();
	sw->silence_threshold = chance(80) ? 0 : pick(buffer + 2);
	sw->silence_size = chance(80) ? 0 : rnd();
	/* the boundary must be the buffer times a power of two below LONG_MAX */
	sw->boundary = chance(80) ? buffer << pick(20) : rnd();
	sw->proto = SNDRV_PCM_VERSION;
	sw->tstamp_type = pick(4);
}

/* Random offsets and lengths of the device's mappings; touch what maps. */
static void random_maps(int fd, int playback, unsigned long buffer_bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long pages = (buffer_bytes + page - 1) / page;
	static const off_t specials[] = {
		SNDRV_PCM_MMAP_OFFSET_DATA, SNDRV_PCM_MMAP_OFFSET_STATUS_NEW,
		SNDRV_PCM_MMAP_OFFSET_CONTROL_NEW,
	};
	int i;

	for (i = 0; i < MAPS_PER_ROUND; i++) {
		off_t off = chance(60) ? specials[pick(3)] : (off_t)pick(pages + 4) * page;
		size_t len = (1 + pick(pages + 2)) * page;
		int prot = chance(70) ? PROT_READ | PROT_WRITE : PROT_READ;
		volatile char *map;
		size_t at;

		map = mmap(NULL, len, prot, MAP_SHARED, fd, off);
		if (map == MAP_FAILED) {
			map_result(errno);
			continue;
		}
		map_result(0);
		for (at = 0; at < len; at += page) {
			char v = map[at];

			/* the data area only: status and control are the core's */
			if (off == SNDRV_PCM_MMAP_OFFSET_DATA &&
			    playback && (prot & PROT_WRITE))
				map[at] = v;
		}
		munmap((void *)map, len);
	}
}

static unsigned int interval_value(struct snd_pcm_hw_params *p, int param)
{
	return hw_interval(p, param)->min;
}

static int mask_value(struct snd_pcm_hw_params *p, int param)
{
	int w;

	for (w = 0; w < MASK_WORDS; w++)
		if (hw_mask(p, param)->bits[w])
			return w * 32 + __builtin_ctz(hw_mask(p, param)->bits[w]);
	return -1;
}

/* The interval of p that holds value above INT_MAX, or -1 */
static int chosen_param(struct snd_pcm_hw_params *p, unsigned int value)
{
	int i;

	if (value <= INT_MAX)
		return -1;
	for (i = SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; i <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL; i++)
		if (hw_interval(p, i)->min <= value && value <= hw_interval(p, i)->max)
			return i;
	return -1;
}

/* The structure in a line: for the report of a refusal nobody expected */
static void describe(struct snd_pcm_hw_params *p, char *out, size_t size)
{
	size_t at = 0;
	int i;

	for (i = SNDRV_PCM_HW_PARAM_FIRST_MASK; i <= SNDRV_PCM_HW_PARAM_LAST_MASK && at < size; i++)
		at += snprintf(out + at, size - at, "m%d=%08x ", i, hw_mask(p, i)->bits[0]);
	for (i = SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; i <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL && at < size; i++) {
		struct snd_interval *in = hw_interval(p, i);

		at += snprintf(out + at, size - at, "i%d=%c%u,%u%c%s%s ", i,
			       in->openmin ? '(' : '[', in->min, in->max,
			       in->openmax ? ')' : ']', in->integer ? "i" : "",
			       in->empty ? "e" : "");
	}
	if (at < size)
		snprintf(out + at, size - at, "rmask=%x flags=%x", p->rmask, p->flags);
}

int raw_ioctls(int fd, int playback, struct raw_config *c)
{
	struct snd_pcm_hw_params p, sent;
	struct snd_pcm_sw_params sw;

	int ret;

	random_hw_params(&p);
	/* a refused structure goes on to HW_PARAMS as it is */
	errno = 0;
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_REFINE, &p) < 0)
		refused(-errno, "HW_REFINE");
	else if (chance(30))
		random_hw_params(&p);
	sent = p;
	errno = 0;
	ret = ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &p);
	if (ret < -1) {
		/*
		 * Not an errno: snd_pcm_hw_params_choose() returns what
		 * snd_pcm_hw_param_first() or _last() chose, as an int, and
		 * takes a negative one for an error.  A chosen value above
		 * INT_MAX (an interval such as TICK_TIME lying there) comes
		 * back from the ioctl as that value.
		 */
		core_return("HW_PARAMS", ret, chosen_param(&sent, (unsigned int)ret));
		random_maps(fd, playback, 0);
		return 0;
	}
	if (ret < 0) {
		int err = errno;

		refused(-err, "HW_PARAMS");
		if (err != EINVAL && err != EBUSY && err != ENOMEM) {
			char text[1024];

			describe(&sent, text, sizeof(text));
			unexpected("HW_PARAMS sent: %s", text);
		}
		random_maps(fd, playback, 0);
		return 0;
	}
	c->access = mask_value(&p, SNDRV_PCM_HW_PARAM_ACCESS);
	c->format = mask_value(&p, SNDRV_PCM_HW_PARAM_FORMAT);
	c->channels = interval_value(&p, SNDRV_PCM_HW_PARAM_CHANNELS);
	c->rate = interval_value(&p, SNDRV_PCM_HW_PARAM_RATE);
	c->period = interval_value(&p, SNDRV_PCM_HW_PARAM_PERIOD_SIZE);
	c->buffer = interval_value(&p, SNDRV_PCM_HW_PARAM_BUFFER_SIZE);
	random_sw_params(&sw, c->buffer);
	errno = 0;
	sw_result(ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &sw) < 0 ? errno : 0);
	random_maps(fd, playback, interval_value(&p, SNDRV_PCM_HW_PARAM_BUFFER_BYTES));
	ioctl(fd, SNDRV_PCM_IOCTL_HW_FREE);
	return 1;
}
