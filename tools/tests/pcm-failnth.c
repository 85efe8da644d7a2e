// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-failnth: the fail-nth sweep.  For N = 1, 2, ... a child sets
 * /proc/thread-self/fail-nth to N and walks a PCM through open, hw_params,
 * prepare, start, stop, hw_free and close; the Nth injectable kernel call
 * it makes fails.  Each N must end in success or a clean error.  The sweep
 * ends when N runs past the last injectable call (the child finishes and
 * its fail-nth was never consumed).  failslab and fail_page_alloc must be
 * armed for fail-nth (ignore-gfp-wait=N, min-order=0, probability=0).
 *
 * usage: pcm-failnth DEVICE [MAX_N]
 * Prints "N STEP RESULT" per N, then a KTAP plan and its "ok - ..." /
 * "not ok - ..." lines.
 */
#include <alsa/asoundlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static const char *const steps[] = {
	"open", "hw_params", "prepare", "start", "stop", "hw_free", "close", "done",
};

/*
 * The configuration, parsed once in the parent: a child that read
 * alsa.conf itself would fail calls in the filesystem it lives on.
 */
static snd_config_t *config;

/* Returns the index of the step that failed, or 7 (done). */
static int walk(const char *device)
{
	static short silence[4096 * 2];
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	int step = 0;

	if (snd_pcm_open_lconf(&pcm, device, SND_PCM_STREAM_PLAYBACK, 0, config) < 0)
		return step;
	step++;
	snd_pcm_hw_params_alloca(&hw);
	if (snd_pcm_hw_params_any(pcm, hw) < 0 ||
	    snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED) < 0 ||
	    snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE) < 0 ||
	    snd_pcm_hw_params_set_channels(pcm, hw, 2) < 0 ||
	    snd_pcm_hw_params_set_rate(pcm, hw, 48000, 0) < 0 ||
	    snd_pcm_hw_params_set_buffer_size(pcm, hw, 16384) < 0 ||
	    snd_pcm_hw_params(pcm, hw) < 0)
		goto close;
	step++;
	if (snd_pcm_prepare(pcm) < 0)
		goto close;
	step++;
	/* the first write starts the stream (start threshold 1) */
	if (snd_pcm_writei(pcm, silence, 4096) < 0 ||
	    snd_pcm_state(pcm) != SND_PCM_STATE_RUNNING)
		goto close;
	step++;
	if (snd_pcm_drop(pcm) < 0)
		goto close;
	step++;
	if (snd_pcm_hw_free(pcm) < 0)
		goto close;
	step++;
close:
	if (snd_pcm_close(pcm) < 0 && step == 6)
		return step;
	return step == 6 ? 7 : step;
}

int main(int argc, char **argv)
{
	int max_n = argc > 2 ? atoi(argv[2]) : 2000, n, status, failed = 0;
	int outcomes[8] = {};
	bool ended = false;

	if (argc < 2) {
		fprintf(stderr, "usage: pcm-failnth DEVICE [MAX_N]\n");
		return 2;
	}
	if (snd_config_update() < 0 || snd_config_copy(&config, snd_config) < 0) {
		fprintf(stderr, "pcm-failnth: cannot load the ALSA configuration\n");
		return 1;
	}
	for (n = 1; n <= max_n && !ended; n++) {
		int pipefd[2];
		char report[32] = "";
		pid_t pid;

		if (pipe(pipefd))
			return 1;
		pid = fork();
		if (pid == 0) {
			char value[16];
			FILE *f = fopen("/proc/thread-self/fail-nth", "w+");
			int step;

			close(pipefd[0]);
			snprintf(value, sizeof(value), "%d", n);
			if (!f || fputs(value, f) < 0 || fflush(f))
				_exit(3);
			step = walk(argv[1]);
			/* read back: 0 means the injection fired */
			rewind(f);
			if (!fgets(value, sizeof(value), f))
				value[0] = '?';
			snprintf(report, sizeof(report), "%d %d", step, atoi(value));
			if (write(pipefd[1], report, strlen(report)) < 0)
				_exit(4);
			_exit(0);
		}
		close(pipefd[1]);
		memset(report, 0, sizeof(report));
		if (read(pipefd[0], report, sizeof(report) - 1) < 0)
			report[0] = '\0';
		close(pipefd[0]);
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("%d crashed (status 0x%x)\n", n, status);
			failed++;
			continue;
		}
		{
			int step = 0, left = 0;

			sscanf(report, "%d %d", &step, &left);
			if (step < 0 || step > 7)
				step = 0;
			outcomes[step]++;
			printf("%d %s %s\n", n, steps[step],
			       left ? "(nothing injected: past the last call)" : "");
			if (left && step == 7)
				ended = true;
		}
	}
	/* the KTAP plan of the two checks the finished sweep gives */
	printf("1..2\n");
	printf("%s - fail-nth on %s: every N up to %d ends in success or a clean error (%d crashed)\n",
	       failed ? "not ok" : "ok", argv[1], n - 1, failed);
	printf("%s - fail-nth on %s: the sweep reaches past the last injectable call\n",
	       ended ? "ok" : "not ok", argv[1]);
	printf("# failed at: open %d, hw_params %d, prepare %d, start %d, stop %d, hw_free %d, close %d; completed %d\n",
	       outcomes[0], outcomes[1], outcomes[2], outcomes[3], outcomes[4],
	       outcomes[5], outcomes[6], outcomes[7]);
	return failed || !ended;
}
