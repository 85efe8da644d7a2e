// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-player: play silence the way a real player does, by read/write or
 * through the mmap'ed buffer, and count every -EPIPE it sees.  It can be
 * made a slow application: every N periods it sleeps, or spins, for a
 * while before its next write.  Or it can be starved: every N periods a
 * SCHED_FIFO thread named "pcm-hog", on the player's CPU, spins that long
 * while the player waits for its CPU back.  The hog is the player's own
 * thread so that it starts at the same point of the stream in every run:
 * a task started from outside would start when the shell got to it.  The
 * workload under which sgscope xrun's verdicts are checked: the player's
 * own count of xruns is the truth sgscope's must match.  In mmap mode it
 * can drop its mapping of the buffer every N periods instead: the next
 * writes fault every page back in through the driver's .page (made slow
 * by pcm2's debugfs page_delay_ns, a fault stall).  Or it can ask to be
 * woken late: with an avail_min of the whole buffer, no period wakes it
 * from its wait, and the buffer runs dry under it.
 *
 * usage: pcm-player DEVICE [-m] [-b FRAMES] [-p FRAMES] [-a FRAMES] [-t MS]
 *                   [-e N (-s MS [-S | -H] | -D)]
 *   -m  mmap access (default read/write)
 *   -b  buffer frames (default 4096), -p period frames (default 1024)
 *   -a  avail_min, the free frames its wait waits for (default a period)
 *   -t  play this long (default 1000 ms)
 *   -e N -s MS  every N periods written, sleep MS ms; -S spins instead;
 *               -H a SCHED_FIFO thread on the player's CPU spins instead
 *   -e N -D     (with -m) every N periods, drop the buffer's pages from the
 *               mapping (MADV_DONTNEED)
 * Prints "xruns N" (the -EPIPE returns it saw), "frames N" (written), "ms
 * N" (played for) and "opened_ns N" (CLOCK_MONOTONIC, the clock of the
 * tracer's timestamps, as it opened the device), and exits 0.
 */
#define _GNU_SOURCE
#include <alsa/asoundlib.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define RATE		48000
#define CHANNELS	2
#define FRAME_BYTES	(CHANNELS * 2)
/* above any SCHED_OTHER task, below the kernel's threaded handlers (50) */
#define HOG_PRIORITY	40

struct config {
	const char *device;
	bool mmap;
	snd_pcm_uframes_t buffer, period, avail_min;
	long ms, stall_every, stall_ms;
	bool spin, hog, drop;
};

/* the mmap'ed buffer, as the first mmap_begin showed it */
static void *buffer_map;

static pthread_t hog_thread;
static bool hog_started;
static sem_t hog_go;

static int die(const char *what, int err)
{
	fprintf(stderr, "pcm-player: %s: %s\n", what, snd_strerror(err));
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void spin_until(double until)
{
	while (now_ms() < until)
		;
}

static void *hog(void *arg)
{
	const struct config *c = arg;

	sem_wait(&hog_go);
	spin_until(now_ms() + c->stall_ms);
	return NULL;
}

/*
 * The hog on this CPU.  It is named and made SCHED_FIFO while it waits to
 * be let go, so that it preempts the player under its own name: a tracer
 * names the task that held the CPU by what it was called then.
 */
static int start_hog(const struct config *c)
{
	struct sched_param prio = { .sched_priority = HOG_PRIORITY };
	pthread_attr_t attr;
	cpu_set_t cpu;
	int err;

	if (hog_started)
		pthread_join(hog_thread, NULL);
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu))
		return -errno;
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpu), &cpu);
	err = pthread_create(&hog_thread, &attr, hog, (void *)c);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	hog_started = true;
	pthread_setname_np(hog_thread, "pcm-hog");
	err = pthread_setschedparam(hog_thread, SCHED_FIFO, &prio);
	sem_post(&hog_go);
	return -err;
}

/* Its pages out of the mapping: the next touch of each faults it back. */
static int drop_mapping(const struct config *c)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (c->buffer * FRAME_BYTES + page - 1) / page * page;

	if (buffer_map && madvise(buffer_map, len, MADV_DONTNEED))
		return -errno;
	return 0;
}

static int stall(const struct config *c)
{
	if (c->drop)
		return drop_mapping(c);
	if (c->hog)
		return start_hog(c);
	if (!c->spin) {
		usleep(c->stall_ms * 1000);
		return 0;
	}
	spin_until(now_ms() + c->stall_ms);
	return 0;
}

static int setup(snd_pcm_t *pcm, const struct config *c)
{
	snd_pcm_access_t access = c->mmap ? SND_PCM_ACCESS_MMAP_INTERLEAVED :
				  SND_PCM_ACCESS_RW_INTERLEAVED;
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(pcm, hw, access)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(pcm, hw, CHANNELS)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(pcm, hw, RATE, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_period_size(pcm, hw, c->period, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size(pcm, hw, c->buffer)) < 0 ||
	    (err = snd_pcm_hw_params(pcm, hw)) < 0)
		return die("hw_params", err);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(pcm, sw);
	if ((err = snd_pcm_sw_params_set_avail_min(pcm, sw, c->avail_min)) < 0 ||
	    (err = snd_pcm_sw_params_set_start_threshold(pcm, sw, c->buffer)) < 0 ||
	    (err = snd_pcm_sw_params(pcm, sw)) < 0)
		return die("sw_params", err);
	return 0;
}

/* One period of silence into the buffer: frames written, or -errno. */
static snd_pcm_sframes_t write_period(snd_pcm_t *pcm, const struct config *c,
				      const short *silence)
{
	const snd_pcm_channel_area_t *areas;
	snd_pcm_uframes_t offset, frames = c->period;
	int err;

	if (!c->mmap)
		return snd_pcm_writei(pcm, silence, c->period);
	err = snd_pcm_mmap_begin(pcm, &areas, &offset, &frames);
	if (err < 0)
		return err;
	if (!buffer_map)
		buffer_map = areas[0].addr;
	snd_pcm_areas_silence(areas, offset, CHANNELS, frames, SND_PCM_FORMAT_S16_LE);
	return snd_pcm_mmap_commit(pcm, offset, frames);
}

static int parse(int argc, char **argv, struct config *c)
{
	int opt;

	*c = (struct config){ .buffer = 4096, .period = 1024, .ms = 1000 };
	while ((opt = getopt(argc, argv, "mb:p:a:t:e:s:SHD")) != -1) {
		switch (opt) {
		case 'm':
			c->mmap = true;
			break;
		case 'b':
			c->buffer = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			c->period = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			c->avail_min = strtoul(optarg, NULL, 0);
			break;
		case 't':
			c->ms = atol(optarg);
			break;
		case 'e':
			c->stall_every = atol(optarg);
			break;
		case 's':
			c->stall_ms = atol(optarg);
			break;
		case 'S':
			c->spin = true;
			break;
		case 'H':
			c->hog = true;
			break;
		case 'D':
			c->drop = true;
			break;
		default:
			return -1;
		}
	}
	if (!c->avail_min)
		c->avail_min = c->period;
	if (optind + 1 != argc || !c->period || c->buffer < 2 * c->period || c->ms <= 0 ||
	    c->avail_min > c->buffer ||
	    c->stall_every < 0 || c->stall_ms < 0 || (c->spin && c->hog) ||
	    (c->drop && (!c->mmap || c->spin || c->hog)))
		return -1;
	c->device = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long written = 0, queued = 0, periods = 0;
	snd_pcm_sframes_t n;
	long xruns = 0;
	struct config c;
	snd_pcm_t *pcm;
	short *silence;
	double start, opened;
	int err;

	if (parse(argc, argv, &c)) {
		fprintf(stderr, "usage: pcm-player DEVICE [-m] [-b FRAMES] [-p FRAMES] [-a FRAMES] [-t MS] [-e N (-s MS [-S | -H] | -D)]\n");
		return 2;
	}
	if (c.hog && sem_init(&hog_go, 0, 0))
		return die("semaphore", -errno);
	silence = calloc(c.period, FRAME_BYTES);
	if (!silence)
		return die("memory", -ENOMEM);
	opened = now_ms();
	err = snd_pcm_open(&pcm, c.device, SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return die("open", err);
	if (setup(pcm, &c))
		return 1;
	start = now_ms();
	/* it ends only right after a write: no xrun can be on its way then */
	for (;;) {
		n = snd_pcm_avail_update(pcm);
		if (n >= 0 && n < (snd_pcm_sframes_t)c.period)
			n = snd_pcm_wait(pcm, 1000) < 0 ? snd_pcm_avail_update(pcm) : 0;
		else if (n >= 0)
			n = write_period(pcm, &c, silence);
		if (n == -EPIPE) {
			xruns++;
			queued = 0;
			err = snd_pcm_prepare(pcm);
			if (err < 0)
				return die("prepare after an xrun", err);
			continue;
		}
		if (n < 0)
			return die("write", n);
		if (!n)
			continue;
		written += n;
		queued += n;
		/* mmap: nothing writes through the core, so start it here */
		if (c.mmap && snd_pcm_state(pcm) == SND_PCM_STATE_PREPARED &&
		    queued >= c.buffer) {
			err = snd_pcm_start(pcm);
			if (err < 0)
				return die("start", err);
		}
		if (now_ms() - start >= c.ms)
			break;
		if (c.stall_every && ++periods % c.stall_every == 0) {
			err = stall(&c);
			if (err < 0)
				return die("the busy thread", err);
		}
	}
	if (hog_started)
		pthread_join(hog_thread, NULL);
	/*
	 * An mmap commit reports no xrun (the next call does): one that came
	 * during the last write is counted here.
	 */
	if (snd_pcm_state(pcm) == SND_PCM_STATE_XRUN)
		xruns++;
	printf("xruns %ld\nframes %llu\nms %.0f\nopened_ns %.0f\n", xruns, written,
	       now_ms() - start, opened * 1e6);
	snd_pcm_drop(pcm);
	snd_pcm_close(pcm);
	free(silence);
	return 0;
}
