// SPDX-License-Identifier: GPL-2.0
/*
 * Fragmentation and memory pressure, made for real, for sgscope inject:
 * what the holders share (zones.c reads the kernel's zone files; fragment.c,
 * pressure.c and lowmem.c make the conditions).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include "memload_internal.h"

int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(s, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/*
 * How long a holder may take to get ready: on a busy machine the memory
 * it takes and gives back keeps changing under it (a fragmenter on a
 * machine whose streams restart has run for minutes), and a caller
 * with a duration must not wait past it for ever.  An idle test
 * machine's fragmenter is ready in 85 s of guest time.
 */
#define HOLDER_READY_S	300

/*
 * Fork a helper running hold(a, b, ready_fd) and wait until it says it is
 * ready, HOLDER_READY_S at most; its pid, or -1 when it ended first or
 * was not ready in time (it is stopped then).
 */
pid_t holder_start(void (*hold)(long a, long b, int ready_fd), long a, long b)
{
	struct pollfd ready;
	int fds[2], n;
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		hold(a, b, fds[1]);
	}
	close(fds[1]);
	ready = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	/* a signal (Ctrl-C) ends the wait as it ends the read */
	n = poll(&ready, 1, HOLDER_READY_S * 1000);
	if (!n)
		fprintf(stderr, "sgscope inject: the memory holder was not ready after %d s: stopped\n",
			HOLDER_READY_S);
	if (pid < 0 || n != 1 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			memload_stop(pid, NULL);
		return -1;
	}
	close(fds[0]);
	return pid;
}

/*
 * How long a holder may take to end once signalled: one stuck in the
 * kernel (its reclaim waiting on a filesystem that no longer answers)
 * ends with neither SIGTERM nor SIGKILL, and its caller must not wait
 * for it for ever.
 */
#define HOLDER_STOP_S	30
#define HOLDER_POLL_US	100000

/* Whether pid ended (and was reaped) within seconds. */
static bool holder_reaped(pid_t pid, int seconds)
{
	int i;

	for (i = 0; i < seconds * (1000000 / HOLDER_POLL_US); i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		usleep(HOLDER_POLL_US);
	}
	return false;
}

int memload_stop(pid_t pid, const char *cgroup)
{
	bool ended = true;
	char path[300];
	int i;

	if (pid > 0) {
		kill(pid, SIGTERM);
		ended = holder_reaped(pid, HOLDER_STOP_S);
		if (!ended) {
			kill(pid, SIGKILL);
			ended = holder_reaped(pid, HOLDER_STOP_S);
		}
		if (!ended)
			fprintf(stderr, "sgscope inject: the memory holder (pid %d) did not end in %d s after SIGTERM and SIGKILL: left behind, stuck in the kernel (/proc/%d/stack says where)\n",
				pid, 2 * HOLDER_STOP_S, pid);
	}
	if (!cgroup || !cgroup[0])
		return ended ? 0 : -1;
	/* stress-ng's workers may linger a moment after it exits */
	snprintf(path, sizeof(path), "%s/cgroup.kill", cgroup);
	write_str(path, "1");
	for (i = 0; i < 50 && rmdir(cgroup) && errno == EBUSY; i++)
		usleep(HOLDER_POLL_US);
	return ended ? 0 : -1;
}
