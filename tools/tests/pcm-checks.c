// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-checks: the error and lifetime cases of snd-sgscope, driven through
 * alsa-lib as an application would, run inside the test machine.  Prints
 * one "ok - NAME" / "not ok - NAME" line per check in a block of its own,
 * "# begin: pcm-checks SUBCOMMAND" to "# end: ..." and the KTAP plan of
 * the checks it printed (tools/tests/ktap-plans.py): counted, not kept.
 *
 * usage: pcm-checks busy|einval|enomem|mmap|loops|periods
 */
#include <alsa/asoundlib.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define USAGE "usage: pcm-checks busy|einval|enomem|mmap|loops|periods\n"
/* the sgscope card's PCMs, one per buffer strategy */
#define NPCM 4
/* pcm-test's period and buffer sizes check_periods asks for */
#define NPERIOD_TESTS 5

static int failures, checks;
static char debugfs[128];

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	checks++;
	if (!ok)
		failures++;
}

static long read_debugfs(const char *file, const char *key)
{
	char path[256], line[256];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", debugfs, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(key);

		if (!strncmp(line, key, n) && line[n] == ' ') {
			value = atol(line + n + 1);
			break;
		}
	}
	fclose(f);
	return value;
}

static void write_debugfs(const char *file, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", debugfs, file);
	f = fopen(path, "w");
	if (!f || fputs(value, f) < 0 || fclose(f)) {
		fprintf(stderr, "pcm-checks: cannot write %s\n", path);
		exit(1);
	}
}

static int open_pcm(snd_pcm_t **pcm, int device, snd_pcm_stream_t stream)
{
	char name[32];

	snprintf(name, sizeof(name), "hw:sgscope,%d", device);
	return snd_pcm_open(pcm, name, stream, SND_PCM_NONBLOCK);
}

/* Start @hw over from everything @pcm can do, narrowed to S16_LE stereo. */
static int set_stereo_s16(snd_pcm_t *pcm, snd_pcm_hw_params_t *hw,
			  snd_pcm_access_t access)
{
	int err;

	err = snd_pcm_hw_params_any(pcm, hw);
	if (!err)
		err = snd_pcm_hw_params_set_access(pcm, hw, access);
	if (!err)
		err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE);
	if (!err)
		err = snd_pcm_hw_params_set_channels(pcm, hw, 2);
	return err;
}

/* S16_LE stereo 48 kHz with the given buffer and period sizes in frames. */
static int set_params(snd_pcm_t *pcm, snd_pcm_access_t access,
		      snd_pcm_uframes_t buffer, snd_pcm_uframes_t period)
{
	snd_pcm_hw_params_t *hw;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	err = set_stereo_s16(pcm, hw, access);
	if (!err)
		err = snd_pcm_hw_params_set_rate(pcm, hw, 48000, 0);
	if (!err)
		err = snd_pcm_hw_params_set_period_size(pcm, hw, period, 0);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size(pcm, hw, buffer);
	if (!err)
		err = snd_pcm_hw_params(pcm, hw);
	return err;
}

static void check_nothing_live(const char *when)
{
	check(read_debugfs("counters", "live_buffers") == 0 &&
	      read_debugfs("counters", "live_sgtables") == 0 &&
	      read_debugfs("counters", "live_mappings") == 0 &&
	      read_debugfs("counters", "live_desc_lists") == 0,
	      "%s: no buffer, sg_table, mapping or descriptor list left", when);
}

/* The engines are shared: one stream per direction at a time. */
static void check_busy(void)
{
	snd_pcm_t *held, *other;
	int dev, err;

	err = open_pcm(&held, 0, SND_PCM_STREAM_PLAYBACK);
	check(err == 0, "busy: pcm0 playback opens (%s)", snd_strerror(err));
	if (err)
		return;
	for (dev = 1; dev < NPCM; dev++) {
		err = open_pcm(&other, dev, SND_PCM_STREAM_PLAYBACK);
		check(err == -EBUSY, "busy: pcm%d playback while pcm0 plays gets -EBUSY (got %s)",
		      dev, snd_strerror(err));
		if (!err)
			snd_pcm_close(other);
	}
	err = open_pcm(&other, 1, SND_PCM_STREAM_CAPTURE);
	check(err == 0, "busy: pcm1 capture opens beside pcm0 playback (%s)",
	      snd_strerror(err));
	if (!err)
		snd_pcm_close(other);
	snd_pcm_close(held);
	err = open_pcm(&other, 1, SND_PCM_STREAM_PLAYBACK);
	check(err == 0, "busy: pcm1 playback opens once pcm0 closed (%s)",
	      snd_strerror(err));
	if (!err)
		snd_pcm_close(other);
}

/* What the hardware cannot do is refused by the kernel with -EINVAL. */
static void check_einval(void)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	int dev, err;

	snd_pcm_hw_params_alloca(&hw);
	for (dev = 0; dev < NPCM; dev++) {
		if (open_pcm(&pcm, dev, SND_PCM_STREAM_PLAYBACK)) {
			check(0, "einval: pcm%d opens", dev);
			continue;
		}
		snd_pcm_hw_params_any(pcm, hw);
		err = snd_pcm_hw_params_set_channels(pcm, hw, 1);
		check(err == -EINVAL, "einval: pcm%d mono gets -EINVAL (%d)", dev, err);
		snd_pcm_hw_params_any(pcm, hw);
		err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S32_LE);
		check(err == -EINVAL, "einval: pcm%d S32_LE gets -EINVAL (%d)", dev, err);
		snd_pcm_hw_params_any(pcm, hw);
		err = snd_pcm_hw_params_set_rate(pcm, hw, 96000, 0);
		check(err == -EINVAL, "einval: pcm%d 96 kHz gets -EINVAL (%d)", dev, err);
		snd_pcm_hw_params_any(pcm, hw);
		err = snd_pcm_hw_params_set_buffer_size(pcm, hw, 8 << 20);
		check(err == -EINVAL, "einval: pcm%d a 32 MiB buffer gets -EINVAL (%d)", dev, err);
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 8192, 3000);
		check(err == -EINVAL, "einval: pcm%d a buffer of 2.7 periods gets -EINVAL (%d)",
		      dev, err);
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 8192, 2048);
		check(err == 0, "einval: pcm%d then good parameters work (%d)", dev, err);
		snd_pcm_close(pcm);
	}
	check_nothing_live("einval");
}

/* An allocation failure gives -ENOMEM, leaves nothing, and the PCM works on. */
static void check_enomem(void)
{
	snd_pcm_t *pcm;
	int dev, err;

	for (dev = 1; dev < NPCM; dev++) {
		if (open_pcm(&pcm, dev, SND_PCM_STREAM_PLAYBACK)) {
			check(0, "enomem: pcm%d opens", dev);
			continue;
		}
		write_debugfs("inject_fail_alloc", "1");
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 16384, 4096);
		check(err == -ENOMEM, "enomem: pcm%d hw_params with a failing allocation gets -ENOMEM (%d)",
		      dev, err);
		check_nothing_live("enomem: after the failure");
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 16384, 4096);
		check(err == 0, "enomem: pcm%d hw_params again succeeds (%d)", dev, err);
		snd_pcm_close(pcm);
		err = open_pcm(&pcm, dev, SND_PCM_STREAM_PLAYBACK);
		check(err == 0, "enomem: pcm%d opens again", dev);
		if (!err) {
			err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 16384, 4096);
			check(err == 0, "enomem: pcm%d reopened takes hw_params (%d)", dev, err);
			snd_pcm_close(pcm);
		}
	}
	if (!open_pcm(&pcm, 0, SND_PCM_STREAM_PLAYBACK)) {
		write_debugfs("inject_fail_hw_params", "1");
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 16384, 4096);
		check(err == -EIO, "enomem: the injected hw_params failure gets -EIO (%d)", err);
		err = set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, 16384, 4096);
		check(err == 0, "enomem: pcm0 hw_params after it succeeds (%d)", err);
		snd_pcm_close(pcm);
	}
	check_nothing_live("enomem: after close");
}

/*
 * mmap: every page of the buffer is reachable, .page runs once per page
 * touched (pcm1, pcm2), and no mapping can reach past the end of the
 * buffer: a longer one is refused with EINVAL, and the buffer cannot be
 * resized while mapped.  (So the fault path's SIGBUS past the end cannot be
 * reached from user space; KUnit checks that .page returns NULL there.)
 */
static void check_mmap(void)
{
	const snd_pcm_uframes_t frames = 16 * 1024;	/* 64 KiB: 16 pages */
	long page = sysconf(_SC_PAGESIZE);
	int dev;

	for (dev = 0; dev < NPCM; dev++) {
		char file[64];
		struct pollfd pfd;
		long before, after;
		snd_pcm_t *pcm;
		unsigned char *map, *big;
		size_t bytes = frames * 4, i;
		int err;

		if (open_pcm(&pcm, dev, SND_PCM_STREAM_PLAYBACK)) {
			check(0, "mmap: pcm%d opens", dev);
			continue;
		}
		err = set_params(pcm, SND_PCM_ACCESS_MMAP_INTERLEAVED, frames, frames / 4);
		check(err == 0, "mmap: pcm%d takes MMAP_INTERLEAVED (%d)", dev, err);
		if (err || snd_pcm_poll_descriptors(pcm, &pfd, 1) != 1) {
			snd_pcm_close(pcm);
			continue;
		}
		snprintf(file, sizeof(file), "pcm%d-playback/layout", dev);
		before = read_debugfs(file, "page_calls");
		map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, pfd.fd, 0);
		check(map != MAP_FAILED, "mmap: pcm%d maps its whole buffer", dev);
		if (map != MAP_FAILED) {
			for (i = 0; i < bytes; i += page)
				map[i] = 0x5a;
			map[bytes - 1] = 0xa5;
			after = read_debugfs(file, "page_calls");
			/*
			 * pcm2 always faults page by page; pcm1 only when its
			 * buffer fell back to SG (a contiguous one is mapped
			 * up front); pcm0 and pcm3 never call the driver.
			 */
			if (dev == 2 || (dev == 1 && read_debugfs(file, "fell_back") == 1))
				check(after - before == (long)(bytes / page),
				      "mmap: pcm%d .page ran once per page (%ld of %zu)",
				      dev, after - before, bytes / page);
			else
				check(after == before, "mmap: pcm%d maps up front, without .page", dev);
			/* the buffer cannot shrink under a mapping */
			err = set_params(pcm, SND_PCM_ACCESS_MMAP_INTERLEAVED, frames / 2, frames / 8);
			check(err == -EBADFD, "mmap: pcm%d hw_params while mapped gets -EBADFD (%d)",
			      dev, err);
			munmap(map, bytes);
		}
		big = mmap(NULL, bytes + page, PROT_READ | PROT_WRITE, MAP_SHARED, pfd.fd, 0);
		check(big == MAP_FAILED && errno == EINVAL,
		      "mmap: pcm%d a mapping past the end of the buffer is refused with EINVAL", dev);
		if (big != MAP_FAILED)
			munmap(big, bytes + page);
		snd_pcm_close(pcm);
	}
}

/* open/hw_params/prepare/close, 20 times per pcm, sizes changing. */
static void check_loops(void)
{
	int dev, i;

	for (dev = 0; dev < NPCM; dev++) {
		int bad = 0;

		for (i = 0; i < 20; i++) {
			snd_pcm_uframes_t period = 1024 << (i % 4);
			snd_pcm_t *pcm;

			if (open_pcm(&pcm, dev, i % 2 ? SND_PCM_STREAM_CAPTURE :
				     SND_PCM_STREAM_PLAYBACK)) {
				bad++;
				continue;
			}
			if (set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, period * 4, period) ||
			    set_params(pcm, SND_PCM_ACCESS_RW_INTERLEAVED, period * 2, period) ||
			    snd_pcm_prepare(pcm))
				bad++;
			snd_pcm_close(pcm);
		}
		check(bad == 0, "loops: pcm%d 20 x open/hw_params/hw_params/prepare/close (%d failed)",
		      dev, bad);
	}
	check_nothing_live("loops");
}

/*
 * What pcm-test asks for (its near calls, in its order): @period and
 * @buffer in, what the PCM granted out.
 */
static int set_params_near(int dev, snd_pcm_stream_t dir, unsigned int rate,
			   snd_pcm_uframes_t *period, snd_pcm_uframes_t *buffer)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_t *pcm;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	err = open_pcm(&pcm, dev, dir);
	if (err)
		return err;
	err = set_stereo_s16(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
	if (!err)
		err = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, 0);
	if (!err)
		err = snd_pcm_hw_params_set_period_size_near(pcm, hw, period, 0);
	if (!err)
		err = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, buffer);
	if (!err)
		err = snd_pcm_hw_params(pcm, hw);
	snd_pcm_close(pcm);
	return err;
}

/*
 * pcm-test's default time tests (tools/testing/selftests/alsa/pcm-test.conf,
 * the stereo ones the codec can run) read and write a second at a time.  On
 * a 2-period buffer a capture read of a second overruns whenever QEMU's
 * 10 ms DMA bursts carry the engine further past the second period end than
 * past the first, so every PCM must give each of them at least 3 periods.
 */
static void check_periods(void)
{
	static const struct {
		const char *name;
		unsigned int rate;
		snd_pcm_uframes_t period, buffer;
	} tests[NPERIOD_TESTS] = {
		{ "time2", 8000, 8000, 32000 },
		{ "time3", 44100, 22500, 192000 },
		{ "time4", 48000, 512, 4096 },
		{ "time5", 48000, 24000, 192000 },
		{ "time6", 48000, 48000, 576000 },
	};
	unsigned int t;
	int dev, dir;

	for (dev = 0; dev < NPCM; dev++) {
		for (dir = 0; dir < 2; dir++) {
			for (t = 0; t < NPERIOD_TESTS; t++) {
				snd_pcm_uframes_t period = tests[t].period;
				snd_pcm_uframes_t buffer = tests[t].buffer;
				int err = set_params_near(dev, dir, tests[t].rate,
							  &period, &buffer);

				check(!err && buffer >= 3 * period,
				      "periods: pcm%d %s pcm-test %s gets 3 or more periods (%lu of %lu frames%s%s)",
				      dev, snd_pcm_stream_name(dir), tests[t].name,
				      err ? 0 : buffer / period, period,
				      err ? ", " : "", err ? snd_strerror(err) : "");
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(void);
	} subcommands[] = {
		{ "busy", check_busy },
		{ "einval", check_einval },
		{ "enomem", check_enomem },
		{ "mmap", check_mmap },
		{ "loops", check_loops },
		{ "periods", check_periods },
	};
	int card = snd_card_get_index("sgscope");
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, USAGE);
		return 2;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			break;
	if (i == sizeof(subcommands) / sizeof(subcommands[0])) {
		fprintf(stderr, USAGE);
		return 2;
	}
	printf("# begin: pcm-checks %s\n", argv[1]);
	check(card >= 0, "pcm-checks: the sgscope card is there (%s)", argv[1]);
	if (card >= 0) {
		snprintf(debugfs, sizeof(debugfs), "/sys/kernel/debug/sgscope/card%d", card);
		subcommands[i].run();
	}
	printf("# end: pcm-checks %s\n1..%d\n", argv[1], checks);
	return failures ? 1 : 0;
}
