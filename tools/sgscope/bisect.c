// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope bisect: the commit that made the benchmark regress, between a
 * good and a bad one.  The work is tools/bench/bisect in the source tree
 * this binary was built in (a worktree, the driver built as a module per
 * commit, sgscope bench on the cells asked for, sgscope compare's rule);
 * this file checks the command line and hands it on.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: sgscope bisect --good REV --bad REV [--filter CELLS] [--metric M]\n"
		   "                      [--iterations N] [-C TREE] [-o DIR]\n");
}

static void help(void)
{
	printf("sgscope bisect: %s\n\n", "find the commit that made the benchmark regress");
	usage(stdout);
	printf("\nMeasures GOOD and BAD on the cells of --filter (default\n"
	       "pcm2-lookup/direct/256k/none; sgscope bench's globs), then halves the commits\n"
	       "between them, each built in a worktree of its own (the driver as a module for\n"
	       "the test kernel, loaded in place of the built-in one; the CLI and its BPF\n"
	       "programs), and judges each run against GOOD's with sgscope compare's rule\n"
	       "(--metric: only that metric's series count).  The culprit and its parent are\n"
	       "measured again: the culprit must regress against GOOD and its parent, the\n"
	       "parent not.  Writes DIR/bisect.md (the transcript, the culprit, how to\n"
	       "reproduce) and the runs; exits 0 with the culprit confirmed or nothing to\n"
	       "bisect, 1 if not confirmed, 2 on bad input.\n\n"
	       "  --good REV, --bad REV   commits of TREE (-C, default: this source tree)\n"
	       "  --iterations N          per cell and run (default 5)\n\n"
	       "example:\n  sgscope bisect --good v1.2 --bad HEAD --filter 'pcm2-*/direct/256k/none'\n");
}

struct bisect_args {
	const char *good, *bad, *filter, *metric, *iterations, *tree, *output;
};

static int set_iterations(void *ctx, const struct cli_option *opt, const char *value)
{
	long v;

	return parse_count(value, 99, &v) || v < 1 ? -1 : option_set_string(ctx, opt, value);
}

static int set_nonempty(void *ctx, const struct cli_option *opt, const char *value)
{
	return !*value ? -1 : option_set_string(ctx, opt, value);
}

#define AT(field)	offsetof(struct bisect_args, field)

static const struct cli_option bisect_options[] = {
	{ "good", 0, true, set_nonempty, "an empty --good%s", AT(good) },
	{ "bad", 0, true, set_nonempty, "an empty --bad%s", AT(bad) },
	{ "filter", 0, true, set_nonempty, "an empty filter matches no cell%s", AT(filter) },
	{ "metric", 0, true, set_nonempty, "an empty --metric%s", AT(metric) },
	{ "iterations", 0, true, set_iterations, "bad iteration count '%s': want 1 to 99",
	  AT(iterations) },
	{ "tree", 'C', true, option_set_string, NULL, AT(tree) },
	{ "output", 'o', true, option_set_string, NULL, AT(output) },
	{ NULL },
};

#undef AT

static int bisect_main(int argc, char **argv)
{
	struct bisect_args a = {};
	const struct cli_group groups[] = { { bisect_options, &a }, { NULL } };
	char tree[PATH_MAX], script[PATH_MAX + 32];
	const char *args[16];
	int err, at, n = 0;

	err = options_scan(&bisect_command, groups, 0, argc, argv, &at);
	if (err)
		return err;
	if (at < argc)
		return usage_error(&bisect_command, "unexpected argument '%s'", argv[at]);
	if (!a.good || !a.bad)
		return usage_error(&bisect_command, "%s", "both --good and --bad are needed");
	if (source_tree(tree, sizeof(tree))) {
		fprintf(stderr, "sgscope bisect: cannot find the sgscope source tree (tools/bench/bisect) "
			"this binary was built in; set SGSCOPE_REPO to it\n");
		return 1;
	}
	snprintf(script, sizeof(script), "%s/tools/bench/bisect", tree);
	args[n++] = script;
	n = script_arg(args, n, "--good", a.good);
	n = script_arg(args, n, "--bad", a.bad);
	n = script_arg(args, n, "--filter", a.filter);
	n = script_arg(args, n, "--metric", a.metric);
	n = script_arg(args, n, "--iterations", a.iterations);
	n = script_arg(args, n, "-C", a.tree);
	n = script_arg(args, n, "-o", a.output);
	args[n] = NULL;
	return run_script("bisect", args);
}

const struct subcommand bisect_command = {
	.name = "bisect",
	.summary = "find the commit that made the benchmark regress, and confirm it",
	.main = bisect_main,
	.usage = usage,
	.help = help,
};
