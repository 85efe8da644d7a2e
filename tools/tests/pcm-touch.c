// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-touch: open a PCM for mmap playback with a buffer of a given size,
 * touch every page of the mapped buffer once (each first touch is one mmap
 * data fault through the driver's .page callback), then close.  The
 * workload of the pagelat tests and of the overhead benchmark.
 *
 * usage: pcm-touch DEVICE FRAMES [ROUNDS [HOLD_SECONDS]]
 * Prints "pages N" per run and, with ROUNDS > 1, "ns_per_round N".
 */
#include <alsa/asoundlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
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

/* One open, hw_params, touch, close; returns the pages touched or -1. */
static long touch_once(const char *device, snd_pcm_uframes_t frames, int hold)
{
	const snd_pcm_channel_area_t *areas;
	snd_pcm_uframes_t offset = 0, avail = frames;
	long page = sysconf(_SC_PAGESIZE), pages = 0, bytes, i;
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	volatile char *base;
	int err;

	err = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return die("open", err), -1;
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_MMAP_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(pcm, hw, 2)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(pcm, hw, 48000, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size(pcm, hw, frames)) < 0 ||
	    (err = snd_pcm_hw_params(pcm, hw)) < 0) {
		snd_pcm_close(pcm);
		return die("hw_params", err), -1;
	}
	err = snd_pcm_mmap_begin(pcm, &areas, &offset, &avail);
	if (err < 0) {
		snd_pcm_close(pcm);
		return die("mmap_begin", err), -1;
	}
	base = (char *)areas[0].addr;
	bytes = frames * 4;
	for (i = 0; i < bytes; i += page, pages++)
		base[i] = 0;
	if (hold)
		sleep(hold);
	snd_pcm_close(pcm);
	return pages;
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	int hold = argc > 4 ? atoi(argv[4]) : 0;
	double start;
	long pages = 0;
	int i;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: pcm-touch DEVICE FRAMES [ROUNDS [HOLD_SECONDS]]\n");
		return 2;
	}
	start = now_ns();
	for (i = 0; i < rounds; i++) {
		pages = touch_once(argv[1], strtoul(argv[2], NULL, 0), hold);
		if (pages < 0)
			return 1;
	}
	printf("pages %ld\n", pages);
	if (rounds > 1)
		printf("ns_per_round %.0f\n", (now_ns() - start) / rounds);
	return 0;
}
