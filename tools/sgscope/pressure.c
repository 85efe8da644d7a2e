// SPDX-License-Identifier: GPL-2.0
/* sgscope inject --pressure: stress-ng in a memory cgroup, and PSI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "memload_internal.h"

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
