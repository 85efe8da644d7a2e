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
#include <getopt.h>
#include <limits.h>
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
	       "ktap.txt, kcidb.json, report.md and SVG plots.  Compare two with sgscope compare.\n"
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

static int bench_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "filter", required_argument, NULL, 'f' },
		{ "modes", required_argument, NULL, 'm' },
		{ "local", no_argument, NULL, 'l' },
		{ "wallclock", no_argument, NULL, 'w' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "cost", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	/* the costs go to the guest as one word: FUNC=INSNS,FUNC=INSNS */
	char costs[512] = "";
	const char *iterations = NULL, *filter = NULL, *modes = NULL, *output = NULL;
	const char *jobs = NULL;
	char tree[PATH_MAX], out[PATH_MAX + 64], script[PATH_MAX + 32];
	const char *args[24];
	bool quick = false, local = false, wallclock = false;
	int c, n = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quick = true;
			break;
		case 'n': {
			long v;

			if (parse_count(optarg, 1000, &v) || v < 1)
				return bad("bad iteration count '%s': want 1 to 1000", optarg);
			iterations = optarg;
			break;
		}
		case 'f':
			if (!*optarg)
				return bad("an empty filter matches no cell%s", "");
			filter = optarg;
			break;
		case 'm':
			if (!modes_valid(optarg))
				return bad("bad DMA modes '%s': want a comma-separated list of direct, swiotlb, iommu",
					   optarg);
			modes = optarg;
			break;
		case 'l':
			local = true;
			break;
		case 'w':
			wallclock = true;
			break;
		case 'j': {
			long v;

			if (parse_count(optarg, 16, &v) || v < 1)
				return bad("bad number of parallel boots '%s': want 1 to 16", optarg);
			jobs = optarg;
			break;
		}
		case 'o':
			output = optarg;
			break;
		case 'c': {
			const char *eq = strchr(optarg, '=');
			size_t used = strlen(costs);
			long v;

			if (!eq || eq == optarg || strcspn(optarg, " ,'\"\\") != strlen(optarg) ||
			    parse_count(eq + 1, SGSCOPE_COST_MAX_INSNS, &v) ||
			    v < SGSCOPE_COST_INSNS_PER_ITERATION)
				return bad("bad cost '%s': want FUNCTION=INSNS (see sgscope inject --help)",
					   optarg);
			if (used + strlen(optarg) + 2 > sizeof(costs))
				return bad("too many costs (%s)", optarg);
			snprintf(costs + used, sizeof(costs) - used, "%s%s", used ? "," : "", optarg);
			break;
		}
		case 'h':
			help();
			return 0;
		case ':':
			return bad("option '%s' needs a value", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (local && modes)
		return bad("--local runs in the DMA mode this machine was booted with%s; drop --modes", "");
	if (local && (wallclock || jobs))
		return bad("--local runs in this machine's own clock, one boot%s: drop --wallclock and --jobs",
			   "");
	if (source_tree(tree, sizeof(tree))) {
		fprintf(stderr, "sgscope bench: cannot find the sgscope source tree (tools/bench/matrix) "
			"this binary was built in; set SGSCOPE_REPO to it\n");
		return 1;
	}
	if (output)
		snprintf(out, sizeof(out), "%s", output);
	else
		default_output(tree, out, sizeof(out));
	snprintf(script, sizeof(script), "%s/tools/bench/matrix", tree);
	args[n++] = script;
	if (quick)
		args[n++] = "--quick";
	if (iterations) {
		args[n++] = "--iterations";
		args[n++] = iterations;
	}
	if (filter) {
		args[n++] = "--filter";
		args[n++] = filter;
	}
	if (modes) {
		args[n++] = "--modes";
		args[n++] = modes;
	}
	if (local)
		args[n++] = "--local";
	if (wallclock)
		args[n++] = "--wallclock";
	if (jobs) {
		args[n++] = "--jobs";
		args[n++] = jobs;
	}
	if (costs[0]) {
		args[n++] = "--cost";
		args[n++] = costs;
	}
	args[n++] = out;
	args[n] = NULL;
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
};
