// SPDX-License-Identifier: GPL-2.0
/* Setting kernel knobs for a while and putting them back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "knobs.h"

#define MAX_KNOBS	64

static struct {
	char path[160];
	char old[128];
} saved[MAX_KNOBS];
static int nsaved;

const char *knob_read(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(value, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int knob_set(const char *path, const char *value)
{
	int i, err;

	for (i = 0; i < nsaved; i++)
		if (!strcmp(saved[i].path, path))
			break;
	if (i == nsaved && nsaved < MAX_KNOBS) {
		snprintf(saved[i].path, sizeof(saved[i].path), "%s", path);
		knob_read(path, saved[i].old, sizeof(saved[i].old));
		/* sysfs shows "always madvise [never]": keep the chosen one */
		if (strchr(saved[i].old, '[')) {
			char *open = strchr(saved[i].old, '['), *close = strchr(open, ']');

			if (close) {
				*close = '\0';
				memmove(saved[i].old, open + 1, strlen(open + 1) + 1);
			}
		}
		nsaved++;
	}
	err = write_file(path, value);
	if (err)
		fprintf(stderr, "sgscope inject: cannot set %s to %s: %s\n", path, value,
			strerror(-err));
	return err;
}

void knobs_restore(void)
{
	while (nsaved > 0) {
		nsaved--;
		write_file(saved[nsaved].path, saved[nsaved].old);
	}
}
