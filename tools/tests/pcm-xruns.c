// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-xruns: play silence for a fixed time the way a low-latency player
 * does - a buffer of the given size, but only LEAD periods queued ahead
 * of the hardware - and count the underruns.  An underrun means the
 * player was not scheduled within LEAD periods (85 ms by default), which
 * is what memory pressure or a slow allocation path does to real
 * players.  The xrun workload of the benchmark.
 *
 * usage: pcm-xruns DEVICE BUFFER_FRAMES MILLISECONDS [PERIOD_FRAMES [LEAD]]
 * Prints "xruns N", "frames N" (written) and "ms N" (played for).
 */
#include <alsa/asoundlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int die(const char *what, int err)
{
	fprintf(stderr, "pcm-xruns: %s: %s\n", what, snd_strerror(err));
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int setup(snd_pcm_t *pcm, snd_pcm_uframes_t buffer,
		 snd_pcm_uframes_t period, snd_pcm_uframes_t lead)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_hw_params_any(pcm, hw);
	if ((err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(pcm, hw, 2)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(pcm, hw, 48000, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_period_size(pcm, hw, period, 0)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size(pcm, hw, buffer)) < 0 ||
	    (err = snd_pcm_hw_params(pcm, hw)) < 0)
		return die("hw_params", err);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(pcm, sw);
	/* wake when a period of the lead has been played */
	if ((err = snd_pcm_sw_params_set_avail_min(pcm, sw, buffer - (lead - 1) * period)) < 0 ||
	    (err = snd_pcm_sw_params_set_start_threshold(pcm, sw, lead * period)) < 0 ||
	    (err = snd_pcm_sw_params(pcm, sw)) < 0)
		return die("sw_params", err);
	return 0;
}

int main(int argc, char **argv)
{
	snd_pcm_uframes_t buffer = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	long ms = argc > 3 ? atol(argv[3]) : 0;
	snd_pcm_uframes_t period = argc > 4 ? strtoul(argv[4], NULL, 0) : 1024;
	snd_pcm_uframes_t lead = argc > 5 ? strtoul(argv[5], NULL, 0) : 4;
	unsigned long long written = 0;
	long xruns = 0;
	double start;
	snd_pcm_t *pcm;
	short *silence;
	int err;

	if (argc < 4 || !buffer || ms <= 0 || !period || lead < 2 || lead * period > buffer) {
		fprintf(stderr, "usage: pcm-xruns DEVICE BUFFER_FRAMES MILLISECONDS [PERIOD_FRAMES [LEAD]]\n"
			"  (LEAD >= 2 periods queued, LEAD * PERIOD_FRAMES <= BUFFER_FRAMES)\n");
		return 2;
	}
	silence = calloc(lead * period, 4);
	if (!silence)
		return die("memory", -ENOMEM);
	err = snd_pcm_open(&pcm, argv[1], SND_PCM_STREAM_PLAYBACK, 0);
	if (err < 0)
		return die("open", err);
	if (setup(pcm, buffer, period, lead))
		return 1;
	start = now_ms();
	while (now_ms() - start < ms) {
		snd_pcm_sframes_t avail = snd_pcm_avail_update(pcm), fill, n;

		if (avail == -EPIPE) {
			xruns++;
			err = snd_pcm_prepare(pcm);
			if (err < 0)
				return die("prepare after an underrun", err);
			continue;
		}
		if (avail < 0)
			return die("avail", avail);
		fill = buffer - avail;
		if (fill > (snd_pcm_sframes_t)((lead - 1) * period)) {
			err = snd_pcm_wait(pcm, 1000);
			if (err == -EPIPE)
				continue;
			if (err < 0)
				return die("wait", err);
			continue;
		}
		n = snd_pcm_writei(pcm, silence, lead * period - fill);
		if (n == -EPIPE)
			continue;
		if (n < 0)
			return die("write", n);
		written += n;
	}
	printf("xruns %ld\nframes %llu\nms %.0f\n", xruns, written, now_ms() - start);
	snd_pcm_drop(pcm);
	snd_pcm_close(pcm);
	free(silence);
	return 0;
}
