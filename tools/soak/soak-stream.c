// SPDX-License-Identifier: GPL-2.0
/*
 * soak-stream: the host's end of a soak stream (soak_pattern.h).
 *
 * usage: soak-stream gen [FIRST]
 *        soak-stream check [MAX_EVENTS]
 *   gen    writes the stream from frame FIRST (default 0) on to stdout,
 *          forever: QEMU's capture input, through a FIFO, until its
 *          reader goes
 *   check  follows the stream on stdin (a playback recording, raw) to its
 *          end: a JSON line per break (gap, repeat, corrupt, foreign;
 *          the first MAX_EVENTS, default 10000) with its offset in
 *          frames, then a summary line; exits 0 whatever it found
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "soak_check.h"

#define CHUNK_FRAMES	4096
/*
 * A FIFO's buffer, raised from the 64 KiB default: QEMU's file plugin
 * writes and reads it from the audio timer, and a host too busy to run
 * this end at once would stall QEMU's audio while the guest's clock runs
 * on (icount), so that the device then moves more than a buffer at once.
 * 1 MiB is 5.4 s of audio.
 */
#define PIPE_BYTES	(1 << 20)

/* a FIFO (or pipe) on fd gets PIPE_BYTES; anything else is left alone */
static void widen(int fd)
{
	fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES);
}

static int gen(uint64_t n)
{
	uint8_t buf[CHUNK_FRAMES * SOAK_FRAME_BYTES];
	size_t done;
	ssize_t w;

	signal(SIGPIPE, SIG_IGN);
	widen(STDOUT_FILENO);
	for (;;) {
		soak_fill(buf, n, CHUNK_FRAMES);
		n += CHUNK_FRAMES;
		for (done = 0; done < sizeof(buf); done += w) {
			w = write(STDOUT_FILENO, buf + done, sizeof(buf) - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return errno == EPIPE ? 0 : 1;
		}
	}
}

struct printer {
	uint64_t max, printed;
};

static void print_break(void *ctx, const struct soak_event *e)
{
	struct printer *p = ctx;

	if (p->printed++ >= p->max)
		return;
	printf("{\"break\":\"%s\",\"offset\":%" PRIu64 ",\"expected\":%" PRIu64 ",\"got\":%" PRIu64 "}\n",
	       soak_break_name(e->kind), e->offset, e->expected, e->got);
}

static int check(uint64_t max)
{
	static uint8_t buf[CHUNK_FRAMES * SOAK_FRAME_BYTES + SOAK_FRAME_BYTES];
	struct printer p = { .max = max };
	struct soak_checker c = { .on_break = print_break, .ctx = &p };
	size_t have = 0;
	ssize_t r;

	widen(STDIN_FILENO);
	for (;;) {
		r = read(STDIN_FILENO, buf + have, CHUNK_FRAMES * SOAK_FRAME_BYTES - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("soak-stream: read");
			return 1;
		}
		if (!r)
			break;
		have += r;
		soak_check_frames(&c, buf, have / SOAK_FRAME_BYTES);
		memmove(buf, buf + have / SOAK_FRAME_BYTES * SOAK_FRAME_BYTES, have % SOAK_FRAME_BYTES);
		have %= SOAK_FRAME_BYTES;
	}
	soak_check_end(&c);
	printf("{\"summary\":true,\"frames\":%" PRIu64 ",\"silent\":%" PRIu64 ",\"first\":%" PRIu64
	       ",\"next\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"repeats\":%" PRIu64
	       ",\"corrupt\":%" PRIu64 ",\"foreign\":%" PRIu64 ",\"trailing_bytes\":%zu}\n",
	       c.frames, c.silent, c.first, c.expected, c.counts[SOAK_GAP], c.counts[SOAK_REPEAT],
	       c.counts[SOAK_CORRUPT], c.counts[SOAK_FOREIGN], have);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: soak-stream gen [FIRST] | soak-stream check [MAX_EVENTS]\n");
	return 2;
}

static int number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t v = 0;

	if (argc < 2 || argc > 3 || (argc == 3 && number(argv[2], &v)))
		return usage();
	if (!strcmp(argv[1], "gen"))
		return gen(v);
	if (!strcmp(argv[1], "check"))
		return check(argc == 3 ? v : 10000);
	return usage();
}
