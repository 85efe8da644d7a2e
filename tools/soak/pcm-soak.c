// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-soak: the PCMs of the soak, in the test machine.  It plays the soak
 * stream (soak_pattern.h) on each DEVICE and captures from it at once,
 * each direction of each in its own thread of this one process, for
 * SECONDS of guest time, and checks every captured frame against the
 * stream the host feeds the device.  One process for all: under TCG a
 * switch between processes flushes the emulated TLB and the translated
 * code's jump cache, and the threads of one process switch with no flush.
 * Its own faults come from a schedule seeded by SEED: a restart with
 * random valid hw_params, drawn as pcm-fuzz draws them (drained first: no
 * frame lost), and an xrun
 * provoked by sleeping past the buffer.  Faults from outside (suspend,
 * unbind, interrupt delays, memory faults) show up as -ESTRPIPE, -ENODEV,
 * -EPIPE or -ENOMEM and are recovered from: reopened, resumed, prepared
 * or tried again.
 *
 * Headroom: at each transfer, once a stream has run a buffer since it
 * (re)started or stalled on purpose, the frames it had left (playback:
 * queued; capture: room to fill), its least, and the near misses, the
 * transfers that found less than a period left.
 *
 * Every fault the application was told of is a JSON line with the stream
 * index it had reached ("index": the next frame it would play, or the
 * next it expected to capture), so that a break in the recording, or in
 * the capture, can be matched to it: a break not within a buffer of a
 * told fault is a defect.  So is every break in the capture; they are
 * JSON lines too, and the last lines sum up, in each DEVICE's OUT ("-":
 * standard output).
 *
 * usage: pcm-soak [-r RESTART_S] [-x XRUN_S] [-p PERIOD -n PERIODS] [-b MIN_BUFFER]
 *                 SECONDS DEVICE SEED OUT [DEVICE SEED OUT]...
 *   -r  a restart every RESTART_S seconds on average (default 60, 0 none)
 *   -x  a provoked xrun every XRUN_S seconds on average (default 120, 0 none)
 *   -p, -n  the first shape: PERIOD frames, PERIODS of them (default 4096, 4)
 *   -b  the random shapes' least buffer, in frames (default 0): the device
 *       must not move a buffer's lap in one DMA burst
 */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pcm-random.h"
#include "soak_check.h"

#define HEADROOM_WINDOW_S	10	/* a timeline point per 10 s of guest time */
#define REOPEN_TRIES	600	/* 60 s of 100 ms */
/* a restart's shape: see draw_shape() */
#define SHAPE_MIN_PERIOD	1024
#define SHAPE_MAX_PERIOD	16384
#define SHAPE_MAX_BUFFER	65536
#define SHAPE_TRIES		1000
/*
 * A transfer moves a period, as a real client does, up to the largest
 * period a shape draws: under icount every call and the wake-up it waits
 * for cost wall time, and smaller transfers only add calls.
 */
#define CHUNK_FRAMES		SHAPE_MAX_PERIOD

enum { TOLD_XRUN, TOLD_SUSPEND, TOLD_GONE, TOLD_NOMEM, TOLD_KINDS };

struct direction {
	const char *device;
	FILE *out;			/* its DEVICE's JSON lines */
	const char *name;
	snd_pcm_stream_t stream;
	snd_pcm_t *pcm;
	snd_pcm_uframes_t buffer, period;
	snd_pcm_access_t access;	/* read and written, or mapped */
	uint64_t index;			/* played: next to write; captured: frames read */
	uint64_t told[TOLD_KINDS];
	uint64_t provoked, restarts;
	snd_pcm_sframes_t min_headroom;	/* frames the stream had left at a transfer */
	uint64_t near_misses;		/* transfers that found less than a period left */
	/* the least headroom of the current HEADROOM_WINDOW_S, for the timeline */
	snd_pcm_sframes_t window_min;
	double window_end;
	uint64_t settled_at;		/* headroom counts from this index on */
	unsigned int seed;
	uint64_t shape_state;		/* pcm-random.h's, for the shapes */
	struct soak_checker check;	/* capture */
};

static double seconds, restart_s = 60, xrun_s = 120;
static unsigned long first_period = 4096, first_periods = 4, min_buffer;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const struct direction *d, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fflush(d->out);
	pthread_mutex_unlock(&out_lock);
}

/* the next fault's time: exponential around mean seconds from t */
static double next_at(struct direction *d, double t, double mean)
{
	double u = (rand_r(&d->seed) + 1.0) / ((double)RAND_MAX + 2.0);

	return mean > 0 ? t - mean * log(u) : 1e300;
}

static void on_capture_break(void *ctx, const struct soak_event *e)
{
	struct direction *d = ctx;

	say(d, "{\"event\":\"capture-break\",\"device\":\"%s\",\"kind\":\"%s\",\"offset\":%" PRIu64
	    ",\"index\":%" PRIu64 ",\"got\":%" PRIu64 "}\n",
	    d->device, soak_break_name(e->kind), e->offset, e->expected, e->got);
	(void)d;
}

/*
 * A restart's shape: what pcm-fuzz asks of a PCM (tools/tests/pcm-random.h),
 * drawn again until the soak's stream can keep it: interleaved, read and
 * written or mapped; periods of SHAPE_MIN_PERIOD to SHAPE_MAX_PERIOD frames
 * (21 to 341 ms: under icount most of the soak's cost is per period, and
 * shorter ones belong to the smallest-buffer trials); a buffer of two
 * periods or more, of MIN_BUFFER or more and of at most SHAPE_MAX_BUFFER.
 * The driver then sets the nearest it takes.
 */
static void draw_shape(struct direction *d, snd_pcm_uframes_t *period,
		       snd_pcm_uframes_t *buffer, snd_pcm_access_t *access)
{
	unsigned long p, b;
	int a, i;

	for (i = 0; i < SHAPE_TRIES; i++) {
		a = pcm_random_access(&d->shape_state);
		p = pcm_random_frames(&d->shape_state);
		b = pcm_random_buffer(&d->shape_state, p);
		if (a != PCM_RANDOM_RW_INTERLEAVED && a != PCM_RANDOM_MMAP_INTERLEAVED)
			continue;
		if (p < SHAPE_MIN_PERIOD || p > SHAPE_MAX_PERIOD || b < 2 * p ||
		    b < min_buffer || b > SHAPE_MAX_BUFFER)
			continue;
		*period = p;
		*buffer = b;
		*access = a == PCM_RANDOM_MMAP_INTERLEAVED ? SND_PCM_ACCESS_MMAP_INTERLEAVED :
			  SND_PCM_ACCESS_RW_INTERLEAVED;
		return;
	}
}

static int setup(struct direction *d, bool random_shape)
{
	snd_pcm_uframes_t period = first_period, buffer = first_period * first_periods;
	snd_pcm_access_t access = SND_PCM_ACCESS_RW_INTERLEAVED;
	unsigned int rate = SOAK_RATE;
	snd_pcm_hw_params_t *hw;
	int err;

	if (random_shape)
		draw_shape(d, &period, &buffer, &access);
	snd_pcm_hw_params_alloca(&hw);
	err = snd_pcm_hw_params_any(d->pcm, hw);
	if (!err)
		err = snd_pcm_hw_params_set_access(d->pcm, hw, access);
	if (!err)
		err = snd_pcm_hw_params_set_format(d->pcm, hw, SND_PCM_FORMAT_S16_LE);
	if (!err)
		err = snd_pcm_hw_params_set_channels(d->pcm, hw, SOAK_CHANNELS);
	if (!err)
		err = snd_pcm_hw_params_set_rate(d->pcm, hw, rate, 0);
	if (!err)
		err = snd_pcm_hw_params_set_period_size_near(d->pcm, hw, &period, NULL);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size_near(d->pcm, hw, &buffer);
	if (!err)
		err = snd_pcm_hw_params(d->pcm, hw);
	if (err)
		return err;
	d->period = period;
	d->buffer = buffer;
	d->access = access;
	/* headroom is what the stream keeps once it runs: from a buffer on */
	d->settled_at = d->index + buffer;
	say(d, "{\"event\":\"params\",\"device\":\"%s\",\"dir\":\"%s\",\"period\":%lu,\"buffer\":%lu,"
	    "\"access\":\"%s\",\"index\":%" PRIu64 "}\n", d->device, d->name, period, buffer,
	    access == SND_PCM_ACCESS_MMAP_INTERLEAVED ? "mmap" : "rw", d->index);
	return 0;
}

static const char *const told_names[] = {
	[TOLD_XRUN] = "xrun", [TOLD_SUSPEND] = "suspend", [TOLD_GONE] = "gone",
	[TOLD_NOMEM] = "nomem",
};

static void told(struct direction *d, int kind, int err)
{
	d->told[kind]++;
	/* t: the guest's uptime, the clock of the schedule's faults.jsonl */
	say(d, "{\"event\":\"%s\",\"device\":\"%s\",\"dir\":\"%s\",\"errno\":%d,\"index\":%" PRIu64
	    ",\"buffer\":%lu,\"t\":%.2f}\n", told_names[kind], d->device, d->name, -err, d->index,
	    d->buffer, now());
}

/*
 * Open and set up the PCM, trying again every 100 ms for a while: while
 * the device is gone (unbind), and while its buffer cannot be had
 * (hw_params -ENOMEM under the schedule's memory faults: told, as an
 * application hears it).
 */
static int open_pcm(struct direction *d, bool random_shape)
{
	int err = -ENODEV, i;

	for (i = 0; i < REOPEN_TRIES; i++) {
		err = snd_pcm_open(&d->pcm, d->device, d->stream, 0);
		if (!err) {
			err = setup(d, random_shape);
			if (!err)
				return 0;
			snd_pcm_close(d->pcm);
			d->pcm = NULL;
			if (err != -ENOMEM)
				return err;
			told(d, TOLD_NOMEM, err);
		}
		usleep(100000);
	}
	return err;
}

/* Back to a running state after err; 0, or the error that ends the run. */
static int recover(struct direction *d, int err)
{
	if (err == -EPIPE) {
		told(d, TOLD_XRUN, err);
		return snd_pcm_prepare(d->pcm);
	}
	if (err == -ESTRPIPE) {
		told(d, TOLD_SUSPEND, err);
		while ((err = snd_pcm_resume(d->pcm)) == -EAGAIN)
			usleep(10000);
		return err ? snd_pcm_prepare(d->pcm) : 0;
	}
	if (err == -ENODEV || err == -EBADFD || err == -EIO) {
		/* the device went (unbind, unplug): wait for it to come back */
		told(d, TOLD_GONE, err);
		snd_pcm_close(d->pcm);
		d->pcm = NULL;
		return open_pcm(d, false);
	}
	return err;
}

/*
 * The frames the stream has left before this transfer (playback: queued
 * to play; capture: room left to fill), once it runs; a timeline line
 * every HEADROOM_WINDOW_S with the least of the window (t: the guest's
 * CLOCK_MONOTONIC, /proc/uptime's clock in a machine that never sleeps).
 */
static void headroom(struct direction *d, double t)
{
	snd_pcm_sframes_t avail = snd_pcm_avail(d->pcm), left;

	if (avail >= 0 && d->index >= d->settled_at) {
		left = (snd_pcm_sframes_t)d->buffer - avail;
		if (d->min_headroom < 0 || left < d->min_headroom)
			d->min_headroom = left;
		if (d->window_min < 0 || left < d->window_min)
			d->window_min = left;
		d->near_misses += left < (snd_pcm_sframes_t)d->period;
	}
	if (t < d->window_end)
		return;
	if (d->window_min >= 0)
		say(d, "{\"event\":\"headroom\",\"device\":\"%s\",\"dir\":\"%s\",\"t\":%.1f,"
		    "\"least\":%ld,\"buffer\":%lu}\n", d->device, d->name, t, (long)d->window_min,
		    d->buffer);
	d->window_min = -1;
	d->window_end = t + HEADROOM_WINDOW_S;
}

/* One write or read of n frames, in the stream's access. */
static snd_pcm_sframes_t transfer(struct direction *d, uint8_t *buf, snd_pcm_uframes_t n)
{
	bool mmap = d->access == SND_PCM_ACCESS_MMAP_INTERLEAVED;

	if (d->stream == SND_PCM_STREAM_PLAYBACK)
		return mmap ? snd_pcm_mmap_writei(d->pcm, buf, n) : snd_pcm_writei(d->pcm, buf, n);
	return mmap ? snd_pcm_mmap_readi(d->pcm, buf, n) : snd_pcm_readi(d->pcm, buf, n);
}

static void *run(void *arg)
{
	struct direction *d = arg;
	bool play = d->stream == SND_PCM_STREAM_PLAYBACK;
	uint8_t buf[CHUNK_FRAMES * SOAK_FRAME_BYTES];
	double start = now(), t, restart, xrun;
	snd_pcm_sframes_t n, chunk;
	int err;

	err = open_pcm(d, false);
	restart = next_at(d, start, restart_s);
	xrun = next_at(d, start, xrun_s);
	while (!err && (t = now()) < start + seconds) {
		if (t >= restart) {
			if (play)
				snd_pcm_drain(d->pcm);
			snd_pcm_close(d->pcm);
			d->pcm = NULL;
			d->restarts++;
			err = open_pcm(d, true);
			restart = next_at(d, t, restart_s);
			continue;
		}
		if (t >= xrun) {
			/* the application stalls past its buffer: it must be told */
			d->provoked++;
			say(d, "{\"event\":\"provoke\",\"device\":\"%s\",\"dir\":\"%s\",\"index\":%" PRIu64
			    ",\"t\":%.6f}\n", d->device, d->name, d->index, t);
			usleep((useconds_t)(d->buffer * 1000000ULL / SOAK_RATE) + 50000);
			xrun = next_at(d, t, xrun_s);
			d->settled_at = d->index + d->buffer;
		}
		headroom(d, t);
		/* a period at a time, as a real client: never a whole buffer */
		chunk = d->period < CHUNK_FRAMES ? d->period : CHUNK_FRAMES;
		if (play) {
			soak_fill(buf, d->index, chunk);
			n = transfer(d, buf, chunk);
		} else {
			n = transfer(d, buf, chunk);
			if (n > 0)
				soak_check_frames(&d->check, buf, n);
		}
		if (n < 0) {
			err = recover(d, n);
			d->settled_at = d->index + d->buffer;
		}
		else
			d->index += n;
	}
	if (d->pcm) {
		if (play)
			snd_pcm_drain(d->pcm);
		snd_pcm_close(d->pcm);
	}
	if (err)
		say(d, "{\"event\":\"error\",\"device\":\"%s\",\"dir\":\"%s\",\"error\":\"%s\"}\n",
		    d->device, d->name, snd_strerror(err));
	return (void *)(long)err;
}

static void summary(const struct direction *d)
{
	say(d, "{\"summary\":\"%s\",\"device\":\"%s\",\"frames\":%" PRIu64 ",\"xruns\":%" PRIu64
	    ",\"suspends\":%" PRIu64 ",\"gone\":%" PRIu64 ",\"nomem\":%" PRIu64 ",\"provoked\":%" PRIu64
	    ",\"restarts\":%" PRIu64 ",\"min_headroom\":%ld,\"near_misses\":%" PRIu64, d->name,
	    d->device, d->index, d->told[TOLD_XRUN], d->told[TOLD_SUSPEND], d->told[TOLD_GONE],
	    d->told[TOLD_NOMEM], d->provoked, d->restarts,
	    (long)d->min_headroom, d->near_misses);
	if (d->stream == SND_PCM_STREAM_CAPTURE)
		say(d, ",\"silent\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"repeats\":%" PRIu64
		    ",\"corrupt\":%" PRIu64 ",\"foreign\":%" PRIu64, d->check.silent,
		    d->check.counts[SOAK_GAP], d->check.counts[SOAK_REPEAT],
		    d->check.counts[SOAK_CORRUPT], d->check.counts[SOAK_FOREIGN]);
	say(d, "}\n");
}

#define MAX_DEVICES	8

int main(int argc, char **argv)
{
	struct direction dir[MAX_DEVICES][2];
	pthread_t th[MAX_DEVICES][2];
	int devices, i, k, opt, rc = 0;
	void *ret;

	while ((opt = getopt(argc, argv, "r:x:p:n:b:")) != -1) {
		switch (opt) {
		case 'r':
			restart_s = atof(optarg);
			break;
		case 'x':
			xrun_s = atof(optarg);
			break;
		case 'p':
			first_period = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			first_periods = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			min_buffer = strtoul(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	devices = (argc - optind - 1) / 3;
	if (argc - optind < 4 || (argc - optind - 1) % 3 || devices > MAX_DEVICES ||
	    (seconds = atof(argv[optind])) <= 0 ||
	    restart_s < 0 || xrun_s < 0 || !first_period || first_periods < 2)
		goto usage;
	for (k = 0; k < devices; k++) {
		const char *const *a = (const char *const *)&argv[optind + 1 + 3 * k];
		unsigned int seed = strtoul(a[1], NULL, 0);
		FILE *out = strcmp(a[2], "-") ? fopen(a[2], "w") : stdout;

		if (!out) {
			fprintf(stderr, "pcm-soak: %s: %s\n", a[2], strerror(errno));
			return 1;
		}
		for (i = 0; i < 2; i++) {
			struct direction *d = &dir[k][i];

			*d = (struct direction){
				.device = a[0],
				.out = out,
				.name = i ? "capture" : "playback",
				.stream = i ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK,
				.min_headroom = -1,
				.window_min = -1,
				.seed = seed * 2 + i,
			};
			/* any state but 0 */
			d->shape_state = ((uint64_t)d->seed << 1 | 1) * 0x9e3779b97f4a7c15ULL;
			d->check.on_break = on_capture_break;
			d->check.ctx = d;
		}
	}
	for (k = 0; k < devices; k++)
		for (i = 0; i < 2; i++)
			pthread_create(&th[k][i], NULL, run, &dir[k][i]);
	for (k = 0; k < devices; k++) {
		for (i = 0; i < 2; i++) {
			pthread_join(th[k][i], &ret);
			rc |= ret != NULL;
		}
		soak_check_end(&dir[k][1].check);
		for (i = 0; i < 2; i++)
			summary(&dir[k][i]);
		if (dir[k][0].out != stdout)
			fclose(dir[k][0].out);
	}
	return rc;
usage:
	fprintf(stderr, "usage: pcm-soak [-r RESTART_S] [-x XRUN_S] [-p PERIOD -n PERIODS] [-b MIN_BUFFER] "
		"SECONDS DEVICE SEED OUT [DEVICE SEED OUT]...\n");
	return 2;
}
