// SPDX-License-Identifier: GPL-2.0
/* Fragmentation and memory pressure, made for real, for sgscope inject. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "memload.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif

static int read_buddyinfo(unsigned long counts[11])
{
	char line[512], zone[32];
	FILE *f = fopen("/proc/buddyinfo", "r");
	int n = 0;

	memset(counts, 0, 11 * sizeof(*counts));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int i, used;

		if (!p || sscanf(p, "zone %31s%n", zone, &used) != 1)
			continue;
		p += used;
		for (i = 0; i < 11; i++) {
			unsigned long v;

			if (sscanf(p, "%lu%n", &v, &used) != 1)
				break;
			counts[i] += v;
			p += used;
		}
		n++;
	}
	fclose(f);
	return n ? 0 : -1;
}

void buddyinfo_print(FILE *f, const char *label)
{
	unsigned long counts[11];
	int i;

	if (read_buddyinfo(counts))
		return;
	fprintf(f, "sgscope inject: buddyinfo %-6s (free blocks of order 0..10):", label);
	for (i = 0; i < 11; i++)
		fprintf(f, " %lu", counts[i]);
	fputc('\n', f);
}

unsigned long buddyinfo_high_order(void)
{
	unsigned long counts[11], sum = 0;
	int i;

	if (read_buddyinfo(counts))
		return 0;
	for (i = 4; i < 11; i++)
		sum += counts[i];
	return sum;
}

static unsigned long mem_free_kb(void)
{
	char line[128];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The holder: pin the pages, free every other one, wait to be killed. */
static void fragment_hold(int percent, int ready_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t bytes = mem_free_kb() * 1024 / 100 * percent, off;
	char *p;

	/* the parent's handlers came along with fork: be killable */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	bytes &= ~(size_t)(2 * page - 1);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED || mlock(p, bytes))
		_exit(1);
	for (off = 0; off < bytes; off += 2 * page)
		munmap(p + off, page);
	if (write(ready_fd, "1", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

pid_t fragment_start(int percent)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fragment_hold(percent, fds[1]);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			memload_stop(pid, NULL);
		return -1;
	}
	close(fds[0]);
	return pid;
}

int psi_memory(unsigned long long *some_us, unsigned long long *full_us)
{
	char line[256];
	FILE *f = fopen("/proc/pressure/memory", "r");

	*some_us = *full_us = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *total = strstr(line, "total=");

		if (!total)
			continue;
		if (!strncmp(line, "some", 4))
			*some_us = strtoull(total + 6, NULL, 10);
		else if (!strncmp(line, "full", 4))
			*full_us = strtoull(total + 6, NULL, 10);
	}
	fclose(f);
	return 0;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(s, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

pid_t pressure_start(int max_mb, char *cgroup, size_t len)
{
	char path[300], value[64];
	pid_t pid;

	snprintf(cgroup, len, "/sys/fs/cgroup/sgscope-pressure-%d", getpid());
	/* the memory controller must be on for the root's children */
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (mkdir(cgroup, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cgroup);
	snprintf(value, sizeof(value), "%dM", max_mb);
	if (write_str(path, value))
		return -1;
	pid = fork();
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		snprintf(value, sizeof(value), "%d", getpid());
		if (write_str(path, value))
			_exit(126);
		/* twice the limit: the cgroup reclaims and stalls all the time */
		snprintf(value, sizeof(value), "%dM", max_mb);
		execlp("stress-ng", "stress-ng", "--vm", "2", "--vm-bytes", value,
		       "--vm-keep", "--quiet", "--timeout", "0",
		       "--temp-path", "/tmp", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * The zone user memory comes from (the one with the most managed pages):
 * its free pages and min watermark, from /proc/zoneinfo.
 */
static int user_zone(char *name, size_t len, long *free_pages, long *min)
{
	long managed = 0, best = -1, v, f = 0, l = 0;
	char line[256], zone[32] = "";
	FILE *fp = fopen("/proc/zoneinfo", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			f = v;
		else if (sscanf(line, " min %ld", &v) == 1)
			l = v;
		else if (sscanf(line, " managed %ld", &v) == 1 && v > best) {
			best = managed = v;
			snprintf(name, len, "%s", zone);
			*free_pages = f;
			*min = l;
		}
	}
	fclose(fp);
	return managed > 0 ? 0 : -1;
}

static volatile sig_atomic_t refill_wanted;

static void on_refill(int sig)
{
	refill_wanted = sig;
}

/*
 * Take free pages of the user zone until what is left is its min
 * watermark plus above_pages: anonymous memory, written (MAP_POPULATE) and
 * handed back with MADV_FREE, so the kernel may take it back without swap
 * or I/O, but must reclaim to do so.  The min watermark, not the low one:
 * between the two, kswapd would be woken, find ZONE_DMA balanced and
 * sleep again, and nothing would reclaim; below min, every allocation
 * reclaims for itself.  Only the shortfall is taken again on a refill;
 * pages the kernel reclaimed leave holes in the old mappings that cost
 * nothing.
 */
static long lowmem_fill(long above_pages, int report_fd)
{
	long page = sysconf(_SC_PAGESIZE), free_pages, wmin, want, taken = 0;
	const long chunk_pages = (4L << 20) / page;
	char zone[32], msg[160];
	int n;

	/*
	 * The shortfall is measured once: below the low watermark kswapd
	 * wakes and gives back what is taken, and chasing it would never end.
	 */
	if (user_zone(zone, sizeof(zone), &free_pages, &wmin))
		return -1;
	want = free_pages - wmin - above_pages;
	while (taken < want) {
		long step = want - taken < chunk_pages ? want - taken : chunk_pages;
		void *p = mmap(NULL, step * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED || madvise(p, step * page, MADV_FREE))
			return -1;
		taken += step;
	}
	user_zone(zone, sizeof(zone), &free_pages, &wmin);
	n = snprintf(msg, sizeof(msg),
		     "sgscope inject: lowmem filled: zone %s, %ld kB taken, free now %ld kB, min watermark %ld kB\n",
		     zone, taken * page / 1024, free_pages * page / 1024, wmin * page / 1024);
	if (report_fd >= 0 && write(report_fd, msg, n) != n)
		return -1;
	return taken;
}

static void lowmem_hold(long above_pages, int ready_fd)
{
	struct sigaction sa = { .sa_handler = on_refill };
	sigset_t usr1, waiting;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* blocked but while waiting: a refill asked for during one is not lost */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &waiting);
	sigdelset(&waiting, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
	/* order-0 pages, as the allocations it stands in for */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (lowmem_fill(above_pages, STDERR_FILENO) < 0 || write(ready_fd, "1", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;) {
		sigsuspend(&waiting);
		if (refill_wanted) {
			refill_wanted = 0;
			if (lowmem_fill(above_pages, STDERR_FILENO) < 0)
				_exit(1);
		}
	}
}

pid_t lowmem_start(int above_mb)
{
	long above_pages = (long)above_mb * (1 << 20) / sysconf(_SC_PAGESIZE);
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		lowmem_hold(above_pages, fds[1]);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			memload_stop(pid, NULL);
		return -1;
	}
	close(fds[0]);
	return pid;
}

void memload_stop(pid_t pid, const char *cgroup)
{
	char path[300];
	int i;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	if (!cgroup || !cgroup[0])
		return;
	/* stress-ng's workers may linger a moment after it exits */
	snprintf(path, sizeof(path), "%s/cgroup.kill", cgroup);
	write_str(path, "1");
	for (i = 0; i < 50 && rmdir(cgroup) && errno == EBUSY; i++)
		usleep(100000);
}
