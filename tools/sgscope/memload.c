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
