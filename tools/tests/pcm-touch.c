// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-touch: open a PCM for mmap playback with a buffer of a given size,
 * map its buffer and touch every page once (each first touch is one mmap
 * data fault through the driver's .page callback), ROUNDS times, each
 * round a fresh mapping; then close.  The workload of the pagelat tests
 * and of the overhead benchmark.
 *
 * usage: pcm-touch DEVICE FRAMES [ROUNDS [HOLD_SECONDS]]
 * Prints "pages N" (per round), "ns_per_round N" (map, touch, unmap: the
 * mean), "ns_round_median N" and "ns_round_min N" (the fastest round: in
 * deterministic guest time, the code path without the timer ticks and
 * kernel threads that land in some rounds).
 */
#include <alsa/asoundlib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

static int die(const char *what, int err)
{
	fprintf(stderr, "pcm-touch: %s: %s\n", what, snd_strerror(err));
	return 1;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Map the buffer afresh, touch each page, unmap; returns the pages. */
static long touch_round(int fd, long bytes)
{
	long page = sysconf(_SC_PAGESIZE), pages = 0, i;
	volatile char *base;

	/* offset 0 is the data area (SNDRV_PCM_MMAP_OFFSET_DATA) */
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		perror("pcm-touch: mmap");
		return -1;
	}
	for (i = 0; i < bytes; i += page, pages++)
		base[i] = 0;
	munmap((void *)base, bytes);
	return pages;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int open_pcm(snd_pcm_t **pcm, const char *device,
		    snd_pcm_uframes_t frames)
{
	snd_pcm_hw_params_t *hw;
	int err;

	err = snd_pcm_open(pcm, device, SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return die("open", err);
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(*pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(*pcm, hw, SND_PCM_ACCESS_MMAP_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(*pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(*pcm, hw, 2)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(*pcm, hw, 48000, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size(*pcm, hw, frames)) < 0 ||
	    (err = snd_pcm_hw_params(*pcm, hw)) < 0) {
		snd_pcm_close(*pcm);
		return die("hw_params", err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	snd_pcm_uframes_t frames = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	int hold = argc > 4 ? atoi(argv[4]) : 0;
	struct pollfd pfd;
	snd_pcm_t *pcm;
	long pages = 0;
	double start, *took, median;
	int i;

	if (argc < 3 || rounds < 1 || !frames) {
		fprintf(stderr, "usage: pcm-touch DEVICE FRAMES [ROUNDS [HOLD_SECONDS]]\n");
		return 2;
	}
	if (open_pcm(&pcm, argv[1], frames))
		return 1;
	/* a hw: PCM polls on its own device file: map that */
	if (snd_pcm_poll_descriptors(pcm, &pfd, 1) != 1) {
		fprintf(stderr, "pcm-touch: %s has no device file to map\n", argv[1]);
		return 1;
	}
	took = calloc(rounds, sizeof(*took));
	if (!took) {
		fprintf(stderr, "pcm-touch: out of memory\n");
		return 1;
	}
	for (i = 0; i < rounds && pages >= 0; i++) {
		start = now_ns();
		pages = touch_round(pfd.fd, frames * 4);
		took[i] = now_ns() - start;
	}
	if (pages < 0)
		return 1;
	for (start = 0, i = 0; i < rounds; i++)
		start += took[i];
	qsort(took, rounds, sizeof(*took), cmp_double);
	median = rounds % 2 ? took[rounds / 2] : (took[rounds / 2 - 1] + took[rounds / 2]) / 2;
	printf("pages %ld\nns_per_round %.0f\nns_round_median %.0f\nns_round_min %.0f\n", pages,
	       start / rounds, median, took[0]);
	free(took);
	if (hold)
		sleep(hold);
	snd_pcm_close(pcm);
	return 0;
}
