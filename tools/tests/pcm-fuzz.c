// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-fuzz: random configurations on every PCM of snd-sgscope, in both
 * directions, run inside the test machine.  Each round takes one PCM and
 * one direction and either
 *  - asks alsa-lib for random hw_params (access, format, channels, rate,
 *    period and buffer sizes, each set exactly, most of them plausible), or
 *  - sends raw SNDRV_PCM_IOCTL_HW_REFINE / HW_PARAMS / SW_PARAMS with
 *    random masks, intervals and flags, then maps random offsets and
 *    lengths of the device and touches every page it got.
 * Every configuration the driver accepts then runs two periods through
 * alsa-lib, under a watchdog.  Every refusal must be EINVAL, EBUSY or
 * ENOMEM (mmap: EINVAL, ENXIO, EPERM, EACCES or EBADFD); anything else, a stalled
 * stream or a short transfer fails the run, naming the seed and round so
 * that `pcm-fuzz -s SEED -n ROUNDS` replays it.  The caller checks the
 * kernel log and kmemleak.
 *
 * usage: pcm-fuzz [-s SEED] [-n ROUNDS] [-c CARD] [-v]
 */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pcm-fuzz.h"
#include "pcm-random.h"

#define USAGE "usage: pcm-fuzz [-s SEED] [-n ROUNDS] [-c CARD] [-v]\n"
#define NUM_PCMS	4
/*
 * A run that has not moved its two periods in three times their length,
 * and this much more, has stalled.
 */
#define WATCHDOG_SLACK_S	10
#define NUM_ERRNOS	256
/* xruns a run may recover from before it counts as broken */
#define MAX_XRUNS	8

static uint64_t seed, state;
/* the run in progress, for the watchdog to name */
static char running[256];
static long round_no;
static int card, verbose;

static struct {
	long rounds, accepted, ran, unexpected;
	long xrun_runs;
	double xrun_buffer_ms;		/* the longest buffer that overran */
	long refused[NUM_ERRNOS];	/* hw_params refusals by errno */
	long sw_accepted, sw_refused;
	long core_chosen;		/* HW_PARAMS returned a value it chose */
	long maps, map_refused[NUM_ERRNOS];
} tally;

/* the same seed gives the same rounds on every machine (pcm-random.h) */
uint64_t rnd(void)
{
	return pcm_random(&state);
}

unsigned int pick(unsigned int n)
{
	return pcm_random_pick(&state, n);
}

int chance(unsigned int percent)
{
	return pcm_random_chance(&state, percent);
}

void unexpected(const char *fmt, ...)
{
	va_list ap;

	printf("# round %ld of seed %llu: ", round_no, (unsigned long long)seed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tally.unexpected++;
}

static void watchdog(int sig)
{
	static const char msg[] = "# pcm-fuzz: a run stalled: ";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDOUT_FILENO, running, strlen(running)) < 0)
		_exit(2);
	_exit(1);
}

/* A refusal of hw_params or of one of its parts: which errno, and is it one a driver may give? */
void refused(int err, const char *what)
{
	err = -err;
	tally.refused[err < NUM_ERRNOS ? err : 0]++;
	if (err != EINVAL && err != EBUSY && err != ENOMEM)
		unexpected("%s refused with %s", what, strerror(err));
}

struct config {
	int dev, dir;
	snd_pcm_access_t access;
	snd_pcm_format_t format;
	unsigned int channels, rate;
	snd_pcm_uframes_t period, buffer;
};

static const char *dir_name(int dir)
{
	return dir == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture";
}

/* One write or read of N frames from or into BUF, in the configuration's access. */
static snd_pcm_sframes_t transfer(snd_pcm_t *pcm, const struct config *c, char *buf,
				  snd_pcm_uframes_t n)
{
	int mmap = c->access == SND_PCM_ACCESS_MMAP_INTERLEAVED;

	if (c->dir == SND_PCM_STREAM_PLAYBACK)
		return mmap ? snd_pcm_mmap_writei(pcm, buf, n) : snd_pcm_writei(pcm, buf, n);
	return mmap ? snd_pcm_mmap_readi(pcm, buf, n) : snd_pcm_readi(pcm, buf, n);
}

/* Two periods through an accepted configuration: written and drained, or read. */
static void run_config(snd_pcm_t *pcm, const struct config *c)
{
	snd_pcm_sw_params_t *sw;
	size_t frame = snd_pcm_format_physical_width(c->format) / 8 * c->channels;
	snd_pcm_uframes_t want = 2 * c->period, done = 0;
	int xruns = 0;
	char *buf;
	int err;

	buf = calloc(want, frame ? frame : 1);
	if (!buf)
		return;
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(pcm, sw);
	/* start on the first period: a buffer may hold more than two */
	snd_pcm_sw_params_set_start_threshold(pcm, sw, c->period);
	err = snd_pcm_sw_params(pcm, sw);
	if (err < 0)
		unexpected("pcm%d %s: sw_params after hw_params: %s", c->dev,
			   dir_name(c->dir), snd_strerror(err));
	snprintf(running, sizeof(running),
		 "round %ld of seed %llu: pcm%d %s access %d format %d channels %u rate %u period %lu buffer %lu\n",
		 round_no, (unsigned long long)seed, c->dev, dir_name(c->dir), c->access,
		 c->format, c->channels, c->rate, c->period, c->buffer);
	alarm(3 * want / (c->rate ? c->rate : 1) + WATCHDOG_SLACK_S);
	while (!err && done < want) {
		snd_pcm_sframes_t n = transfer(pcm, c, buf, want - done);

		if (n == -EPIPE && xruns < MAX_XRUNS) {
			/*
			 * QEMU moves audio in 10 ms bursts, so at a period
			 * interrupt the position is up to a burst past the
			 * period's end.  A buffer about a burst long overruns
			 * or underruns on its own.  So does one of exactly two
			 * periods that is read or written whole, as here:
			 * the first transfer takes the overshoot too, and when
			 * the next interrupt overshoots less, the space left
			 * is short of avail_min (a period), nothing wakes the
			 * reader, and the interrupt after that finds the
			 * buffer overrun (traced: round 51 of seed
			 * 323918643490).  Recover, count it and carry on: the
			 * two periods must still pass.
			 */
			double ms = 1000.0 * c->buffer / (c->rate ? c->rate : 1);

			if (!xruns++) {
				tally.xrun_runs++;
				printf("# xrun: %s", running);
			}
			if (ms > tally.xrun_buffer_ms)
				tally.xrun_buffer_ms = ms;
			err = snd_pcm_prepare(pcm);
			if (err < 0)
				unexpected("pcm%d %s: prepare after an xrun: %s", c->dev,
					   dir_name(c->dir), snd_strerror(err));
			continue;
		}
		if (n < 0) {
			unexpected("pcm%d %s: %s of %lu frames (period %lu, buffer %lu, rate %u): %s",
				   c->dev, dir_name(c->dir),
				   c->dir == SND_PCM_STREAM_PLAYBACK ? "write" : "read",
				   want, c->period, c->buffer, c->rate, snd_strerror(n));
			err = n;
		}
		done += n > 0 ? n : 0;
	}
	if (!err && c->dir == SND_PCM_STREAM_PLAYBACK) {
		err = snd_pcm_drain(pcm);
		if (err < 0)
			unexpected("pcm%d playback: drain: %s", c->dev, snd_strerror(err));
	}
	alarm(0);
	if (!err)
		tally.ran++;
	free(buf);
}

static snd_pcm_t *open_pcm(int dev, int dir)
{
	char name[32];
	snd_pcm_t *pcm;
	int err;

	snprintf(name, sizeof(name), "hw:%d,%d", card, dev);
	err = snd_pcm_open(&pcm, name, dir, 0);
	if (err < 0) {
		unexpected("%s %s does not open: %s", name, dir_name(dir), snd_strerror(err));
		return NULL;
	}
	return pcm;
}

void sw_result(int err)
{
	if (!err) {
		tally.sw_accepted++;
		return;
	}
	tally.sw_refused++;
	if (err != EINVAL)
		unexpected("SW_PARAMS refused with %s", strerror(err));
}

void core_return(const char *what, int ret, int param)
{
	if (param < 0) {
		unexpected("%s returned %d, which is no errno", what, ret);
		return;
	}
	tally.core_chosen++;
	printf("# round %ld: %s returned %d: %u, the value it chose for interval parameter %d (the ALSA core's snd_pcm_hw_params_choose)\n",
	       round_no, what, ret, (unsigned int)ret, param);
}

void map_result(int err)
{
	if (!err) {
		tally.maps++;
		return;
	}
	tally.map_refused[err < NUM_ERRNOS ? err : 0]++;
	/* EBADFD: the stream has no buffer yet */
	if (err != EINVAL && err != ENXIO && err != EPERM && err != EACCES && err != EBADFD)
		unexpected("mmap refused with %s", strerror(err));
}

static void set_checked(int err, const char *what)
{
	if (err < 0)
		refused(err, what);
}

/* alsa-lib round: each parameter set exactly, then hw_params. */
static void lib_round(int dev, int dir)
{
	static const snd_pcm_access_t accesses[] = {
		[PCM_RANDOM_RW_INTERLEAVED] = SND_PCM_ACCESS_RW_INTERLEAVED,
		[PCM_RANDOM_MMAP_INTERLEAVED] = SND_PCM_ACCESS_MMAP_INTERLEAVED,
		[PCM_RANDOM_RW_NONINTERLEAVED] = SND_PCM_ACCESS_RW_NONINTERLEAVED,
		[PCM_RANDOM_MMAP_NONINTERLEAVED] = SND_PCM_ACCESS_MMAP_NONINTERLEAVED,
	};
	snd_pcm_hw_params_t *hw;
	struct config c = { .dev = dev, .dir = dir };
	snd_pcm_t *pcm;
	int err;

	pcm = open_pcm(dev, dir);
	if (!pcm)
		return;
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	c.access = accesses[pcm_random_access(&state)];
	c.format = chance(80) ? SND_PCM_FORMAT_S16_LE : pick(SND_PCM_FORMAT_LAST + 1);
	c.channels = chance(80) ? 2 : pick(9);
	c.rate = pcm_random_rate(&state);
	c.period = pcm_random_frames(&state);
	c.buffer = pcm_random_buffer(&state, c.period);
	set_checked(snd_pcm_hw_params_set_access(pcm, hw, c.access), "access");
	set_checked(snd_pcm_hw_params_set_format(pcm, hw, c.format), "format");
	set_checked(snd_pcm_hw_params_set_channels(pcm, hw, c.channels), "channels");
	set_checked(snd_pcm_hw_params_set_rate(pcm, hw, c.rate, 0), "rate");
	if (chance(90))
		set_checked(snd_pcm_hw_params_set_period_size(pcm, hw, c.period, 0),
			    "period size");
	if (chance(90))
		set_checked(snd_pcm_hw_params_set_buffer_size(pcm, hw, c.buffer),
			    "buffer size");
	err = snd_pcm_hw_params(pcm, hw);
	if (err < 0) {
		refused(err, "hw_params");
	} else {
		tally.accepted++;
		snd_pcm_hw_params_get_access(hw, &c.access);
		snd_pcm_hw_params_get_format(hw, &c.format);
		snd_pcm_hw_params_get_channels(hw, &c.channels);
		snd_pcm_hw_params_get_rate(hw, &c.rate, NULL);
		snd_pcm_hw_params_get_period_size(hw, &c.period, NULL);
		snd_pcm_hw_params_get_buffer_size(hw, &c.buffer);
		if (verbose)
			printf("# round %ld: pcm%d %s access %d format %d channels %u rate %u period %lu buffer %lu\n",
			       round_no, dev, dir_name(dir), c.access, c.format,
			       c.channels, c.rate, c.period, c.buffer);
		run_config(pcm, &c);
	}
	snd_pcm_close(pcm);
}

/* Raw round: the kernel's structures at random, then a run through alsa-lib. */
static void raw_round(int dev, int dir)
{
	struct config c = { .dev = dev, .dir = dir };
	struct raw_config r;
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	char path[64];
	int fd, err;

	snprintf(path, sizeof(path), "/dev/snd/pcmC%dD%d%c", card, dev,
		 dir == SND_PCM_STREAM_PLAYBACK ? 'p' : 'c');
	fd = open(path, O_RDWR);
	if (fd < 0) {
		unexpected("%s does not open: %s", path, strerror(errno));
		return;
	}
	err = raw_ioctls(fd, dir == SND_PCM_STREAM_PLAYBACK, &r);
	close(fd);
	if (!err)
		return;
	tally.accepted++;
	c.access = r.access;
	c.format = r.format;
	c.channels = r.channels;
	c.rate = r.rate;
	c.period = r.period;
	c.buffer = r.buffer;

	/* the same configuration, set exactly through alsa-lib, runs */
	pcm = open_pcm(dev, dir);
	if (!pcm)
		return;
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	err = snd_pcm_hw_params_set_access(pcm, hw, c.access);
	if (!err)
		err = snd_pcm_hw_params_set_format(pcm, hw, c.format);
	if (!err)
		err = snd_pcm_hw_params_set_channels(pcm, hw, c.channels);
	if (!err)
		err = snd_pcm_hw_params_set_rate(pcm, hw, c.rate, 0);
	if (!err)
		err = snd_pcm_hw_params_set_period_size(pcm, hw, c.period, 0);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size(pcm, hw, c.buffer);
	if (!err)
		err = snd_pcm_hw_params(pcm, hw);
	if (err < 0)
		unexpected("pcm%d %s: the configuration HW_PARAMS took (access %d format %d channels %u rate %u period %lu buffer %lu) is refused through alsa-lib: %s",
			   dev, dir_name(dir), c.access, c.format, c.channels, c.rate,
			   c.period, c.buffer, snd_strerror(err));
	else
		run_config(pcm, &c);
	snd_pcm_close(pcm);
}

static void print_errnos(const char *what, const long *counts)
{
	int e;

	printf("# %s:", what);
	for (e = 0; e < NUM_ERRNOS; e++)
		if (counts[e])
			printf(" %s %ld", e ? strerrorname_np(e) : "other", counts[e]);
	printf("\n");
}

int main(int argc, char **argv)
{
	long rounds = 2000;
	int opt;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "s:n:c:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			rounds = strtol(optarg, NULL, 0);
			break;
		case 'c':
			card = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (optind != argc || rounds <= 0) {
		fputs(USAGE, stderr);
		return 2;
	}
	state = seed ? seed : 1;
	signal(SIGALRM, watchdog);
	printf("# pcm-fuzz: seed %llu, %ld rounds, card %d\n",
	       (unsigned long long)seed, rounds, card);
	fflush(stdout);
	for (round_no = 0; round_no < rounds; round_no++) {
		int dev = pick(NUM_PCMS);
		int dir = pick(2) ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK;

		if (pick(2))
			raw_round(dev, dir);
		else
			lib_round(dev, dir);
		tally.rounds++;
	}
	printf("# pcm-fuzz: seed %llu: %ld rounds, %ld accepted, %ld ran two periods, %ld unexpected\n",
	       (unsigned long long)seed, tally.rounds, tally.accepted, tally.ran,
	       tally.unexpected);
	printf("# xruns: %ld runs recovered from one, the longest buffer %.1f ms\n",
	       tally.xrun_runs, tally.xrun_buffer_ms);
	print_errnos("hw_params refused", tally.refused);
	printf("# core: HW_PARAMS returned a value it chose for an interval (above INT_MAX) instead of an errno %ld times\n",
	       tally.core_chosen);
	printf("# sw_params: %ld accepted, %ld refused (EINVAL)\n",
	       tally.sw_accepted, tally.sw_refused);
	printf("# mmap: %ld mapped and touched\n", tally.maps);
	print_errnos("mmap refused", tally.map_refused);
	return tally.unexpected || tally.ran != tally.accepted;
}
