// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope lab: the benchmark in a LAVA lab.  The work is tools/lab/lab.py
 * in the source tree this binary was built in (LAVA's schemas are Python:
 * lava-common); this file finds it and hands it the arguments.
 */
#include <limits.h>
#include <stdio.h>
#include "subcommands.h"

#define LAB_MAX_ARGS	64

static void usage(FILE *f)
{
	fprintf(f, "usage: sgscope lab jobs [--devices N] [--device-type TYPE] [--quick] [--iterations N]\n"
		   "                        [--filter GLOB] [--mode MODE] [--kernel URL] [--ramdisk URL]\n"
		   "                        [--modules URL] [--clock CLOCK] [--repository URL]\n"
		   "                        [--revision REV] [--timeout MINUTES] -o JOBDIR\n"
		   "       sgscope lab run [--device DICTIONARY] [--parallel N] [--validate] -o RUNDIR JOBDIR\n"
		   "       sgscope lab submit (--server URL [--token TOKEN] | --lavacli IDENTITY) JOBDIR\n"
		   "       sgscope lab collect --server URL [--token TOKEN] [--wait SECONDS] -o RUNDIR JOBDIR\n"
		   "       sgscope lab COMMAND --help\n");
}

static void help(void)
{
	printf("sgscope lab: %s\n\n", lab_command.summary);
	usage(stdout);
	printf("\nThe work is tools/lab/lab.py in the source tree (SGSCOPE_REPO, else the one this\n"
	       "binary was built in); sgscope lab COMMAND --help has the command's options.\n");
}

static int lab_main(int argc, char **argv)
{
	static const struct cli_group none[] = { { NULL } };
	char tree[PATH_MAX], script[PATH_MAX + 32];
	const char *args[LAB_MAX_ARGS + 2];
	int i, at, err;

	/* lab's options are its commands': the scan stops at the command */
	err = options_scan(&lab_command, none, SCAN_IN_ORDER, argc, argv, &at);
	if (err)
		return err;
	if (at == argc)
		return usage_error(&lab_command, "which lab command%s? (jobs, run, submit, collect)", "");
	if (argc - at + 1 > LAB_MAX_ARGS)
		return usage_error(&lab_command, "more than %s arguments", "64");
	if (source_tree(tree, sizeof(tree))) {
		fprintf(stderr, "sgscope lab: cannot find the sgscope source tree (tools/bench/matrix) "
			"this binary was built in; set SGSCOPE_REPO to it\n");
		return 1;
	}
	snprintf(script, sizeof(script), "%s/tools/lab/lab.py", tree);
	args[0] = script;
	for (i = at; i < argc; i++)
		args[i - at + 1] = argv[i];
	args[argc - at + 1] = NULL;
	return run_script("lab", args);
}

const struct subcommand lab_command = {
	.name = "lab",
	.summary = "the benchmark sharded over a LAVA lab's devices: jobs, run, submit, collect",
	.main = lab_main,
	.usage = usage,
	.help = help,
};
