/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands, and the little they share for output. */
#ifndef SGSCOPE_SUBCOMMANDS_H
#define SGSCOPE_SUBCOMMANDS_H

#include "options.h"
#include "probe.h"

extern const struct subcommand pagelat_command;
extern const struct subcommand allocs_command;
extern const struct subcommand dmamap_command;
extern const struct subcommand inject_command;
extern const struct subcommand compare_command;
extern const struct subcommand bench_command;

const char *stream_name(int stream);
/* "Tracing X (how each probe attached)... Ctrl-C to end" on stderr, or JSON. */
void announce(const struct sgscope_opts *opts, const char *what,
	      const struct probe_point *points, int n);

#endif
