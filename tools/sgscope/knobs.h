/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel knobs (debugfs, sysctl, cgroup files) set for a while: each first
 * write remembers the old value, knobs_restore() puts them all back, last
 * set first restored.
 */
#ifndef SGSCOPE_KNOBS_H
#define SGSCOPE_KNOBS_H

int knob_set(const char *path, const char *value);
/* The first line of a file, or "" when it cannot be read. */
const char *knob_read(const char *path, char *buf, int len);
void knobs_restore(void);

#endif
