// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope bench: the benchmark matrix.  On the host it boots the test
 * machine once per DMA mode through tools/vm and runs the cells there;
 * with --local it runs them in this machine, in the mode it was booted
 * with.  The work is tools/bench/matrix and guest-cells.sh, found in the
 * source tree this binary was built in; this file checks what the user
 * asked for and says it plainly before minutes are spent.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/types.h>
#include "sgscope_names.h"
#include "sgscope_shared.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: sgscope bench [--quick] [--iterations N] [--filter GLOB] [--wallclock]\n"
		   "                     [--jobs N] [--modes direct,swiotlb,iommu | --local]\n"
		   "                     [--cost FUNC=INSNS]... [-o DIR]\n");
}

static void help(void)
{
	printf("sgscope bench: %s\n\n", "run the benchmark matrix in the test machine");
	usage(stdout);
	printf("\nCells are STRATEGY/MODE/SIZE/CONDITION: pcm0 (" SGSCOPE_PREALLOC_NAME "), pcm1 ("
	       SGSCOPE_SG_NAME "), pcm2-lookup pcm2-cached\npcm2-premapped (" SGSCOPE_VMALLOC_NAME
	       "), pcm3 (" SGSCOPE_NONCONTIG_NAME "); the peers intel8x0 and dummy (direct mode,\n"
	       "64k) x direct swiotlb iommu (one boot each) x 64k 256k 1024k x none order1\n"
	       "fragment lowmem.\n\n"
	       "  --quick            direct mode, 256k, none and order1, 5 iterations (a few minutes)\n"
	       "  --iterations N     iterations per cell (default 10, 5 with --quick)\n"
	       "  --filter GLOB      only the cells whose name matches, e.g. 'pcm2-*/*/256k/*';\n"
	       "                     several globs separated by commas match any of them\n"
	       "  --modes LIST       DMA modes to boot, comma-separated\n"
	       "  --wallclock        plain TCG guests whose clocks follow the host's (default:\n"
	       "                     QEMU icount, guest time = instructions executed)\n"
	       "  --jobs N           boots at a time (default: one per host CPU in icount mode,\n"
	       "                     1 with --wallclock)\n"
	       "  --local            no test machine: run the cells here, in the DMA mode this\n"
	       "                     kernel was booted with (root, snd-sgscope loaded)\n"
	       "  --cost FUNC=INSNS  plant a regression: every call of the kernel function FUNC\n"
	       "                     runs INSNS more instructions (sgscope inject --cost, armed\n"
	       "                     in every boot; run.json records it)\n"
	       "  -o, --output DIR   the run folder (default results/<UTC time>-<git sha>)\n"
	       "  -h, --help         this text\n"
	       "\nThe run folder: run.json, samples.jsonl, histograms.jsonl, alloc-orders.jsonl,\n"
	       "alloc-splits.jsonl, ktap.txt, kcidb.json, report.md and SVG plots.  Compare two with sgscope compare.\n"
	       "\nexamples:\n"
	       "  sgscope bench --quick\n"
	       "  sgscope bench --modes iommu --filter 'pcm3/*'\n"
	       "  sgscope bench --local --filter '*/none'      on a lab machine's own kernel\n"
	       "  sgscope bench --quick --cost vmap_pages_range_noflush=500   what 500 more\n"
	       "                     instructions in vmalloc's page mapping cost every cell\n");
}

static int bad(const char *fmt, const char *arg)
{
	return usage_error(&bench_command, fmt, arg);
}

int source_tree(char *tree, size_t len)
{
	const char *env = getenv("SGSCOPE_REPO");
	char exe[PATH_MAX], script[PATH_MAX + 32];
	ssize_t n;
	int i;

	if (env) {
		snprintf(tree, len, "%s", env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n < 0)
			return -1;
		exe[n] = '\0';
		/* <tree>/build/sgscope/sgscope */
		for (i = 0; i < 3; i++) {
			char *slash = strrchr(exe, '/');

			if (!slash)
				return -1;
			*slash = '\0';
		}
		snprintf(tree, len, "%s", exe);
	}
	snprintf(script, sizeof(script), "%s/tools/bench/matrix", tree);
	return access(script, X_OK);
}

static bool modes_valid(const char *list)
{
	char copy[64], *tok, *save;

	if (!*list || strlen(list) >= sizeof(copy))
		return false;
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "direct") && strcmp(tok, "swiotlb") && strcmp(tok, "iommu"))
			return false;
	return list[strlen(list) - 1] != ',' && list[0] != ',';
}

/* results/<UTC time>-<short git sha> in the tree */
static void default_output(const char *tree, char *out, size_t len)
{
	char cmd[PATH_MAX + 64], sha[64] = "nogit";
	char stamp[32];
	time_t now = time(NULL);
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse --short HEAD 2>/dev/null", tree);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%63s", sha) != 1)
			snprintf(sha, sizeof(sha), "nogit");
		pclose(p);
	}
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(out, len, "%s/results/%s-%s", tree, stamp, sha);
}

/* What sgscope bench was asked for, handed on to tools/bench/matrix. */
struct bench_args {
	const char *iterations, *filter, *modes, *output, *jobs;
	bool quick, local, wallclock;
	/* the costs go to the guest as one word: FUNC=INSNS,FUNC=INSNS */
	char costs[512];
};

static int set_iterations(void *ctx, const struct cli_option *opt, const char *value)
{
	long v;

	return parse_count(value, 1000, &v) || v < 1 ? -1 : option_set_string(ctx, opt, value);
}

static int set_filter(void *ctx, const struct cli_option *opt, const char *value)
{
	return !*value ? -1 : option_set_string(ctx, opt, value);
}

static int set_modes(void *ctx, const struct cli_option *opt, const char *value)
{
	return !modes_valid(value) ? -1 : option_set_string(ctx, opt, value);
}

static int set_jobs(void *ctx, const struct cli_option *opt, const char *value)
{
	long v;

	return parse_count(value, 16, &v) || v < 1 ? -1 : option_set_string(ctx, opt, value);
}

static int set_cost(void *ctx, const struct cli_option *opt, const char *value)
{
	struct bench_args *a = ctx;
	const char *eq = strchr(value, '=');
	size_t used = strlen(a->costs);
	long v;

	if (!eq || eq == value || strcspn(value, " ,'\"\\") != strlen(value) ||
	    parse_count(eq + 1, SGSCOPE_COST_MAX_INSNS, &v) ||
	    v < SGSCOPE_COST_INSNS_PER_ITERATION)
		return -1;
	if (used + strlen(value) + 2 > sizeof(a->costs))
		return bad("too many costs (%s)", value);
	snprintf(a->costs + used, sizeof(a->costs) - used, "%s%s", used ? "," : "", value);
	return 0;
}

#define AT(field)	offsetof(struct bench_args, field)

static const struct cli_option bench_options[] = {
	{ "quick", 0, false, option_set_flag, NULL, AT(quick) },
	{ "iterations", 0, true, set_iterations, "bad iteration count '%s': want 1 to 1000",
	  AT(iterations) },
	{ "filter", 0, true, set_filter, "an empty filter matches no cell%s", AT(filter) },
	{ "modes", 0, true, set_modes,
	  "bad DMA modes '%s': want a comma-separated list of direct, swiotlb, iommu", AT(modes) },
	{ "local", 0, false, option_set_flag, NULL, AT(local) },
	{ "wallclock", 0, false, option_set_flag, NULL, AT(wallclock) },
	{ "jobs", 0, true, set_jobs, "bad number of parallel boots '%s': want 1 to 16", AT(jobs) },
	{ "output", 'o', true, option_set_string, NULL, AT(output) },
	{ "cost", 0, true, set_cost, "bad cost '%s': want FUNCTION=INSNS (see sgscope inject --help)" },
	{ NULL },
};

#undef AT

int script_arg(const char **args, int n, const char *option, const char *value)
{
	if (!value || !*value)
		return n;
	args[n++] = option;
	args[n++] = value;
	return n;
}

/* tools/bench/matrix's command line, NULL-terminated, in args[24] */
static void matrix_args(const struct bench_args *a, const char *script, const char *out,
			const char **args)
{
	int n = 0;

	args[n++] = script;
	if (a->quick)
		args[n++] = "--quick";
	n = script_arg(args, n, "--iterations", a->iterations);
	n = script_arg(args, n, "--filter", a->filter);
	n = script_arg(args, n, "--modes", a->modes);
	if (a->local)
		args[n++] = "--local";
	if (a->wallclock)
		args[n++] = "--wallclock";
	n = script_arg(args, n, "--jobs", a->jobs);
	n = script_arg(args, n, "--cost", a->costs);
	args[n++] = out;
	args[n] = NULL;
}

static int bench_main(int argc, char **argv)
{
	struct bench_args a = {};
	const struct cli_group groups[] = { { bench_options, &a }, { NULL } };
	char tree[PATH_MAX], out[PATH_MAX + 64], script[PATH_MAX + 32];
	const char *args[24];
	int err, at;

	err = options_scan(&bench_command, groups, SCAN_IN_ORDER, argc, argv, &at);
	if (err)
		return err;
	if (at < argc)
		return bad("unexpected argument '%s'", argv[at]);
	if (a.local && a.modes)
		return bad("--local runs in the DMA mode this machine was booted with%s; drop --modes", "");
	if (a.local && (a.wallclock || a.jobs))
		return bad("--local runs in this machine's own clock, one boot%s: drop --wallclock and --jobs",
			   "");
	if (source_tree(tree, sizeof(tree))) {
		fprintf(stderr, "sgscope bench: cannot find the sgscope source tree (tools/bench/matrix) "
			"this binary was built in; set SGSCOPE_REPO to it\n");
		return 1;
	}
	if (a.output)
		snprintf(out, sizeof(out), "%s", a.output);
	else
		default_output(tree, out, sizeof(out));
	snprintf(script, sizeof(script), "%s/tools/bench/matrix", tree);
	matrix_args(&a, script, out, args);
	fprintf(stderr, "[bench] run folder: %s\n", out);
	return run_script("bench", args);
}

int run_script(const char *cmd, const char *const *args)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sgscope %s: fork: %s\n", cmd, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execv(args[0], (char *const *)args);
		fprintf(stderr, "sgscope %s: cannot run %s: %s\n", cmd, args[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "sgscope %s: waitpid: %s\n", cmd, strerror(errno));
		return 1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "sgscope %s: %s ended by signal %d\n", cmd, args[0], WTERMSIG(status));
	return 1;
}

const struct subcommand bench_command = {
	.name = "bench",
	.summary = "run the benchmark matrix in the test machine and write a run folder",
	.main = bench_main,
	.usage = usage,
	.help = help,
};
