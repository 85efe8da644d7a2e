// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope: live tracing of ALSA buffer allocation, page callbacks and DMA
 * mapping, in the style of perf and bpftool: one binary, subcommands.
 */
#include <stdio.h>
#include <string.h>
#include "json.h"
#include "subcommands.h"

static const struct subcommand *const commands[] = {
	&pagelat_command,
	&allocs_command,
	&dmamap_command,
	&inject_command,
	&compare_command,
	&bench_command,
	&bisect_command,
	&lab_command,
	&xrun_command,
	NULL,
};

const char *stream_name(int stream)
{
	return stream == 0 ? "playback" : stream == 1 ? "capture" : "-";
}

void announce(const struct sgscope_opts *opts, const char *what,
	      const struct probe_point *points, int n)
{
	struct json j;
	int i;

	if (opts->json) {
		json_line_begin(&j, stdout);
		json_string(&j, "tool", opts->command);
		json_string(&j, "report", "start");
		probes_json(points, n, &j);
		json_line_end(&j);
		return;
	}
	fprintf(stderr, "Tracing %s (", what);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s: %s", i ? ", " : "", points[i].target,
			probe_kind_name(points[i].kind));
	fprintf(stderr, ")%s\n", opts->duration ? "" : "... Ctrl-C to end");
	if (opts->verbose)
		probes_describe(points, n, stderr);
}

static void usage(FILE *f)
{
	int i;

	fprintf(f, "usage: sgscope COMMAND [OPTIONS]   (sgscope COMMAND --help for its options)\n\ncommands:\n");
	for (i = 0; commands[i]; i++) {
		const char *nl = strchr(commands[i]->summary, '\n');
		int len = nl ? (int)(nl - commands[i]->summary) : (int)strlen(commands[i]->summary);

		fprintf(f, "  %-9s %.*s\n", commands[i]->name, len, commands[i]->summary);
	}
	fprintf(f, "\nexamples:\n"
		"  sgscope pagelat -c sgscope -d 10\n"
		"  sgscope allocs --json\n"
		"  sgscope dmamap -i 1\n"
		"  sgscope inject --order 1 -- aplay -D hw:sgscope,1 x.wav\n");
}

int main(int argc, char **argv)
{
	struct sgscope_opts opts;
	int i, err;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; commands[i]; i++) {
		if (strcmp(argv[1], commands[i]->name))
			continue;
		if (commands[i]->main)
			err = commands[i]->main(argc - 1, argv + 1);
		else
			err = options_parse(argc - 1, argv + 1, commands[i], &opts) ?:
			      commands[i]->run(&opts);
		return err == OPTIONS_HELP ? 0 : err;
	}
	fprintf(stderr, "sgscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
