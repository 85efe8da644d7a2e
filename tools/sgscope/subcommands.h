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
extern const struct subcommand bisect_command;
extern const struct subcommand lab_command;
extern const struct subcommand xrun_command;

const char *stream_name(int stream);
/* The source tree: SGSCOPE_REPO, else the one this binary was built in. */
int source_tree(char *tree, size_t len);
/* Run args[0] with args (NULL-terminated) and wait: its exit status. */
int run_script(const char *cmd, const char *const *args);
/* OPTION VALUE into a script's args when the value is there; the next free slot. */
int script_arg(const char **args, int n, const char *option, const char *value);
/* "Tracing X (how each probe attached)... Ctrl-C to end" on stderr, or JSON. */
void announce(const struct sgscope_opts *opts, const char *what,
	      const struct probe_point *points, int n);

#endif
