// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope inject: run a command (or arm for a duration) with one kind of
 * injected memory trouble, then put everything back: on exit, on Ctrl-C
 * and on error.  Prints what it armed and what it injected.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include "json.h"
#include "knobs.h"
#include "ksyms.h"
#include "memload.h"
#include "probe.h"
#include "session.h"
#include "sgscope_shared.h"
#include "subcommands.h"
#include "inject.skel.h"
#include "cost.skel.h"

enum inject_mode { MODE_NONE, MODE_ORDER, MODE_ALL, MODE_SLAB, MODE_PAGES,
		   MODE_NTH, MODE_FRAGMENT, MODE_PRESSURE, MODE_LOWMEM, MODE_COST };

static const char *const mode_names[] = {
	"none", "order", "all", "slab", "pages", "nth", "fragment", "pressure",
	"lowmem", "cost",
};

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* --cost FUNCTION=INSNS, repeated: one planted cost per function */
#define MAX_COSTS	8

struct planted_cost {
	const char *function;
	unsigned long long insns;	/* asked for */
	unsigned int iterations;	/* of the cost loop, that many instructions */
};

struct inject_opts {
	enum inject_mode mode;
	int order, nth, percent, order_min, pressure_mb, lowmem_mb;
	int probability;
	unsigned long long times;
	const char *within;	/* --slab/--pages: only under this function */
	struct planted_cost costs[MAX_COSTS];
	int ncosts;
	double duration;
	bool json, verbose;
	char **command;
};

static const char *const alloc_candidates[] = { "snd_dma_alloc_dir_pages", NULL };

#define DEBUGFS		"/sys/kernel/debug"
#define FAIL_PAGE	DEBUGFS "/fail_page_alloc/"
#define FAILSLAB	DEBUGFS "/failslab/"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sgscope inject MODE [--probability P] [--times N] [--json] [-v]\n"
		"                      (-d SECONDS | [--] COMMAND [ARG...])\n"
		"modes (exactly one):\n"
		"  --order K          fail page allocations of order >= K inside ALSA buffer\n"
		"                     allocation only (BPF on should_fail_alloc_page): the SG fallback runs\n"
		"  --all              fail every ALSA buffer allocation (pages and slab, same scope)\n"
		"  --slab             the kernel's failslab for COMMAND (ignore-gfp-wait off, task-filter on)\n"
		"  --pages            the kernel's fail_page_alloc for COMMAND (same knobs)\n"
		"  --nth N            fail the Nth injectable call of COMMAND (fail-nth); 0: only arm\n"
		"                     the knobs, for a command that sets its own fail-nth\n"
		"  --fragment PERCENT take PERCENT of free memory (100: all it can) and give back\n"
		"                     all but one page of every 2^K block (--order-min K, default 1),\n"
		"                     kept locked: no free block of order >= K in any zone (with K\n"
		"                     of 3 or less, ZONE_DMA keeps blocks below order 4 for the\n"
		"                     kernel); SIGUSR1 does it again\n"
		"  --pressure MB      stress-ng in a memory cgroup limited to MB, PSI recorded\n"
		"  --lowmem MB        free memory held at the min watermark + MB, the rest\n"
		"                     lazily freed (MADV_FREE): allocations must reclaim it;\n"
		"                     SIGUSR1 fills it again, PSI recorded\n"
		"  --cost FUNC=INSNS  every call of the kernel function FUNC runs about INSNS\n"
		"                     more instructions first (a BPF loop at its entry; under\n"
		"                     icount, that much more guest time); repeat for more functions\n");
}

static void help(void)
{
	printf("sgscope inject: memory trouble on purpose, undone when the command ends\n\n");
	usage(stdout);
	printf("\n  --probability P    percent of eligible calls that fail (default 100)\n"
	       "  --within FUNC      --slab/--pages: only allocations with FUNC on the stack\n"
	       "  --times N          at most N failures (default: no limit)\n"
	       "  --order-min K      --fragment: the smallest order no free block may have (1..10)\n"
	       "  -d, --duration S   arm for S seconds instead of running a command\n"
	       "  --json             the armed and disarmed reports as JSON lines\n"
	       "  -v, --verbose      libbpf's messages\n"
	       "\nexamples:\n"
	       "  sgscope inject --order 1 -- aplay -D hw:sgscope,1 x.wav   pcm1 takes the SG fallback\n"
	       "  sgscope inject --all -- aplay -D hw:sgscope,2 x.wav       hw_params gets -ENOMEM\n"
	       "  sgscope inject --slab --probability 10 -- arecord ...\n"
	       "  sgscope inject --fragment 100 -- aplay -D hw:sgscope,1 x.wav  pcm1's own SG fallback\n"
	       "  sgscope inject --cost vmap_pages_range_noflush=2000 -- CMD    a regression planted in\n"
	       "                     vmalloc's page mapping: what 2000 more instructions there cost CMD\n"
	       "The command's exit status is sgscope's.\n");
}

static int bad(const char *fmt, const char *arg)
{
	return usage_error(&inject_command, fmt, arg);
}

static int set_mode(struct inject_opts *o, enum inject_mode mode)
{
	if (o->mode != MODE_NONE)
		return bad("one mode at a time (already %s)", mode_names[o->mode]);
	o->mode = mode;
	return 0;
}

/*
 * FUNC=INSNS: the loop runs SGSCOPE_COST_INSNS_PER_ITERATION instructions
 * an iteration, so INSNS is rounded to a multiple of that.
 */
static int parse_cost(struct inject_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct planted_cost *c;
	long insns;

	if (!eq || eq == arg || parse_count(eq + 1, SGSCOPE_COST_MAX_INSNS, &insns) ||
	    insns < SGSCOPE_COST_INSNS_PER_ITERATION)
		return bad("bad cost '%s': want FUNCTION=INSNS, INSNS from "
			   STR(SGSCOPE_COST_INSNS_PER_ITERATION) " to " STR(SGSCOPE_COST_MAX_INSNS), arg);
	if (o->ncosts == MAX_COSTS)
		return bad("too many --cost (%s): at most " STR(MAX_COSTS), arg);
	c = &o->costs[o->ncosts++];
	c->function = strndup(arg, eq - arg);
	if (!c->function)
		return bad("%s", "out of memory");
	c->insns = insns;
	c->iterations = (insns + SGSCOPE_COST_INSNS_PER_ITERATION / 2) /
			SGSCOPE_COST_INSNS_PER_ITERATION;
	return 0;
}

/* The modes that take a number: where it goes. */
#define AT(field)	offsetof(struct inject_opts, field)

static const size_t mode_number_at[] = {
	[MODE_ORDER] = AT(order),
	[MODE_NTH] = AT(nth),
	[MODE_FRAGMENT] = AT(percent),
	[MODE_PRESSURE] = AT(pressure_mb),
	[MODE_LOWMEM] = AT(lowmem_mb),
};

/* --order, --nth, --fragment, --pressure, --lowmem: the mode is the option's number */
static int set_mode_number(void *ctx, const struct cli_option *opt, const char *value)
{
	struct cli_option at = *opt;

	at.number = mode_number_at[opt->number];
	return option_set_int(ctx, &at, value) ?: set_mode(ctx, opt->number);
}

/* --all, --slab, --pages */
static int set_mode_flag(void *ctx, const struct cli_option *opt, const char *value)
{
	return set_mode(ctx, opt->number);
}

static int set_cost(void *ctx, const struct cli_option *opt, const char *value)
{
	struct inject_opts *o = ctx;

	if (o->mode != MODE_COST && set_mode(o, MODE_COST))
		return 2;
	return parse_cost(o, value);
}

static int set_times(void *ctx, const struct cli_option *opt, const char *value)
{
	struct inject_opts *o = ctx;
	long v;

	if (parse_count(value, LONG_MAX, &v) || !v)
		return -1;
	o->times = v;
	return 0;
}

static int set_duration(void *ctx, const struct cli_option *opt, const char *value)
{
	return parse_seconds(value, &((struct inject_opts *)ctx)->duration);
}

static const struct cli_option inject_options[] = {
	{ "order", 0, true, set_mode_number, "bad order '%s': want 0..10", MODE_ORDER, 0, 10 },
	{ "all", 0, false, set_mode_flag, NULL, MODE_ALL },
	{ "slab", 0, false, set_mode_flag, NULL, MODE_SLAB },
	{ "pages", 0, false, set_mode_flag, NULL, MODE_PAGES },
	{ "nth", 0, true, set_mode_number, "bad nth '%s': want N >= 0", MODE_NTH, 0, INT_MAX },
	{ "fragment", 0, true, set_mode_number,
	  "bad fragment '%s': want a percent of free memory, 1..100", MODE_FRAGMENT, 1, 100 },
	{ "order-min", 0, true, option_set_int, "bad order-min '%s': want 1..10",
	  AT(order_min), 1, BUDDY_ORDERS - 1 },
	{ "pressure", 0, true, set_mode_number,
	  "bad pressure '%s': want the cgroup's limit in MB, >= 16", MODE_PRESSURE, 16, 1 << 20 },
	{ "lowmem", 0, true, set_mode_number,
	  "bad lowmem '%s': want MB above the min watermark, >= 0", MODE_LOWMEM, 0, 1 << 20 },
	{ "cost", 0, true, set_cost },
	{ "probability", 0, true, option_set_int, "bad probability '%s': want 0..100",
	  AT(probability), 0, 100 },
	{ "times", 0, true, set_times, "bad times '%s': want N >= 1" },
	{ "within", 0, true, option_set_string, NULL, AT(within) },
	{ "duration", 'd', true, set_duration, "bad duration '%s': want seconds > 0" },
	{ "json", 'j', false, option_set_flag, NULL, AT(json) },
	{ "verbose", 'v', false, option_set_flag, NULL, AT(verbose) },
	{ NULL },
};

#undef AT

/* What the options ask for together: 0, or 2 after a usage error. */
static int check_opts(struct inject_opts *o)
{
	if (o->mode == MODE_NONE)
		return bad("%s", "no mode given");
	if (!o->command == !o->duration)
		return bad("%s", "give a command or -d SECONDS (not both)");
	if (o->order_min && o->mode != MODE_FRAGMENT)
		return bad("--order-min applies to --fragment, not --%s", mode_names[o->mode]);
	if (!o->order_min)
		o->order_min = 1;
	if (o->probability != 100 && o->mode == MODE_COST)
		return bad("%s", "--probability does not apply to --cost: every call pays it");
	if (o->times && o->mode == MODE_COST)
		return bad("%s", "--times does not apply to --cost: every call pays it");
	if (o->within && o->mode != MODE_SLAB && o->mode != MODE_PAGES)
		return bad("--within applies to --slab and --pages, not --%s", mode_names[o->mode]);
	if (!o->command && (o->mode == MODE_SLAB || o->mode == MODE_PAGES ||
			    o->mode == MODE_NTH))
		return bad("--%s applies to a command's own calls: give a command", mode_names[o->mode]);
	return 0;
}

/* 0, OPTIONS_HELP after --help, or 2 after a usage error */
static int parse(int argc, char **argv, struct inject_opts *o)
{
	const struct cli_group groups[] = { { inject_options, o }, { NULL } };
	int err, at;

	memset(o, 0, sizeof(*o));
	o->probability = 100;
	/* options end at the command */
	err = options_scan(&inject_command, groups, SCAN_IN_ORDER, argc, argv, &at);
	if (err)
		return err;
	if (at < argc)
		o->command = argv + at;
	return check_opts(o);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/*
 * --lowmem, --fragment: a SIGUSR1 to sgscope is the holder's, which takes
 * the memory again
 */
static volatile pid_t fragment_holder = -1;

static void on_refill(int sig)
{
	if (fragment_holder > 0)
		kill(fragment_holder, sig);
}

static void watch_holder(pid_t helper)
{
	struct sigaction sa = { .sa_handler = on_refill };

	fragment_holder = helper;
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * What a mode needs from the kernel, checked before anything is loaded:
 * a kernel built without it (Debian's 6.1 has neither error injection nor
 * fault injection) gets one line naming the option.
 */
static int kernel_has(const char *path, const char *option, const char *what)
{
	struct statfs fs;
	struct stat st;

	if (!strncmp(path, DEBUGFS, strlen(DEBUGFS)) &&
	    (statfs(DEBUGFS, &fs) || fs.f_type != DEBUGFS_MAGIC)) {
		fprintf(stderr, "sgscope inject: %s needs debugfs mounted at " DEBUGFS "\n", what);
		return 0;
	}
	if (!stat(path, &st))
		return 1;
	fprintf(stderr, "sgscope inject: %s needs %s, which this kernel was built without (no %s)\n",
		what, option, path);
	return 0;
}

static int kernel_supports(const struct inject_opts *o)
{
	switch (o->mode) {
	case MODE_ORDER:
	case MODE_ALL:
		return kernel_has(DEBUGFS "/error_injection/list", "CONFIG_FUNCTION_ERROR_INJECTION",
				  "fmod_ret on should_fail_alloc_page (--order, --all)");
	case MODE_SLAB:
		return kernel_has(FAILSLAB, "CONFIG_FAILSLAB", "--slab");
	case MODE_PAGES:
		return kernel_has(FAIL_PAGE, "CONFIG_FAIL_PAGE_ALLOC", "--pages");
	case MODE_NTH:
		return kernel_has("/proc/self/fail-nth", "CONFIG_FAULT_INJECTION", "--nth") &&
		       kernel_has(FAILSLAB, "CONFIG_FAILSLAB", "--nth") &&
		       kernel_has(FAIL_PAGE, "CONFIG_FAIL_PAGE_ALLOC", "--nth");
	default:
		return 1;
	}
}

/* The kernel's knobs: sleeping allocations count, only our tasks fail. */
static int arm_debugfs(const char *dir, const struct inject_opts *o)
{
	char path[128], value[32];
	int err = 0;

#define KNOB(name, val) do {						\
	snprintf(path, sizeof(path), "%s%s", dir, name);		\
	err = err ?: knob_set(path, val);				\
} while (0)
	KNOB("ignore-gfp-wait", "N");
	KNOB("task-filter", o->mode == MODE_NTH ? "N" : "Y");
	KNOB("verbose", "0");
	KNOB("interval", "1");
	snprintf(value, sizeof(value), "%d", o->mode == MODE_NTH ? 0 : o->probability);
	KNOB("probability", value);
	snprintf(value, sizeof(value), "%lld", o->times ? (long long)o->times : -1LL);
	KNOB("times", value);
	if (!strcmp(dir, FAIL_PAGE))
		KNOB("min-order", "0");
	if (o->within && !err) {
		unsigned long long start, end;

		if (ksym_range(o->within, &start, &end)) {
			fprintf(stderr, "sgscope inject: no function %s in /proc/kallsyms\n", o->within);
			return -1;
		}
		snprintf(value, sizeof(value), "0x%llx", start);
		KNOB("require-start", value);
		snprintf(value, sizeof(value), "0x%llx", end);
		KNOB("require-end", value);
		KNOB("stacktrace-depth", "32");
	}
#undef KNOB
	return err;
}

#define LOWMEM_RESERVE_RATIO "/proc/sys/vm/lowmem_reserve_ratio"
#define PCP_HIGH_FRACTION_MAX "2147483647"	/* INT_MAX */

static int arm_sysctls_for_fragmentation(void)
{
	char ratios[128], zeros[128] = "";
	const char *r = knob_read(LOWMEM_RESERVE_RATIO, ratios, sizeof(ratios));
	int ratio, used, at = 0;

	/*
	 * Keep compaction from undoing the holes: no proactive compaction, no
	 * direct compaction of costly orders (a fragmentation index never
	 * exceeds 1000), none of the held pages (they are locked), no
	 * watermark boost waking kswapd and kcompactd after a fallback.
	 */
	if (knob_set("/proc/sys/vm/compaction_proactiveness", "0") ||
	    knob_set("/proc/sys/vm/extfrag_threshold", "1000") ||
	    knob_set("/proc/sys/vm/watermark_boost_factor", "0") ||
	    knob_set("/proc/sys/vm/compact_unevictable_allowed", "0"))
		return -1;
	/*
	 * Per-CPU page lists as short as they go (their high mark is a zone's
	 * pages over this fraction, but at least four batches): the free
	 * pages they hide from buddyinfo are few, and the holder flushes
	 * them with little memory.
	 */
	if (knob_set("/proc/sys/vm/percpu_pagelist_high_fraction", PCP_HIGH_FRACTION_MAX))
		return -1;
	/*
	 * No lowmem reserve: the holder's pages then come from every zone,
	 * the small ones too, whose blocks an allocation meant for a higher
	 * zone would otherwise take whenever a little memory there is freed
	 * (a DMA32 buffer from ZONE_DMA).  A ratio of 0 is no reserve, one
	 * per zone in the file.
	 */
	for (; sscanf(r, "%d%n", &ratio, &used) == 1 && at < (int)sizeof(zeros) - 2; r += used)
		at += snprintf(zeros + at, sizeof(zeros) - at, "%s0", at ? " " : "");
	return knob_set(LOWMEM_RESERVE_RATIO, zeros);
}

static void describe_armed(const struct inject_opts *o, struct json *j)
{
	char what[256];

	switch (o->mode) {
	case MODE_ORDER:
		snprintf(what, sizeof(what),
			 "page allocations of order >= %d inside snd_dma_alloc_dir_pages fail", o->order);
		break;
	case MODE_ALL:
		snprintf(what, sizeof(what),
			 "every page and slab allocation inside snd_dma_alloc_dir_pages fails");
		break;
	case MODE_SLAB:
	case MODE_PAGES:
		snprintf(what, sizeof(what), "%s for the command (ignore-gfp-wait=N, task-filter=Y)%s%s",
			 o->mode == MODE_SLAB ? "failslab" : "fail_page_alloc (min-order 0)",
			 o->within ? " under " : "", o->within ? o->within : "");
		break;
	case MODE_NTH:
		snprintf(what, sizeof(what), "fail-nth %d for the command (failslab and fail_page_alloc)",
			 o->nth);
		break;
	case MODE_FRAGMENT:
		snprintf(what, sizeof(what),
			 "%d%% of free memory taken, all but one page of every order-%d block given back",
			 o->percent, o->order_min);
		break;
	case MODE_LOWMEM:
		snprintf(what, sizeof(what),
			 "free memory at the min watermark + %d MB, the rest MADV_FREE'd anonymous pages",
			 o->lowmem_mb);
		break;
	default:
		snprintf(what, sizeof(what), "stress-ng in a memory cgroup limited to %d MB",
			 o->pressure_mb);
	}
	if (o->json) {
		json_line_begin(j, stderr);
		json_string(j, "tool", "inject");
		json_string(j, "report", "armed");
		json_string(j, "mode", mode_names[o->mode]);
		json_string(j, "what", what);
		json_u64(j, "probability", o->probability);
		json_u64(j, "times", o->times);
		json_line_end(j);
		return;
	}
	fprintf(stderr, "sgscope inject: armed: %s (probability %d%%, %s)\n", what,
		o->probability, o->times ? "limited" : "no limit");
}

static int run_command(const struct inject_opts *o)
{
	struct timespec end, now;
	bool forwarded = false;
	int status = 0;
	pid_t pid;

	if (!o->command) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += (time_t)o->duration;
		end.tv_nsec += (long)((o->duration - (time_t)o->duration) * 1e9);
		while (!interrupted) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec ||
			    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
				break;
			usleep(50000);
		}
		return 0;
	}
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char value[32];
		FILE *f;

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (o->mode == MODE_SLAB || o->mode == MODE_PAGES) {
			f = fopen("/proc/self/make-it-fail", "w");
			if (!f || fputs("1", f) < 0 || fclose(f))
				_exit(126);
		}
		if (o->mode == MODE_NTH && o->nth) {
			snprintf(value, sizeof(value), "%d", o->nth);
			f = fopen("/proc/thread-self/fail-nth", "w");
			if (!f || fputs(value, f) < 0 || fclose(f))
				_exit(126);
		}
		execvp(o->command[0], o->command);
		fprintf(stderr, "sgscope inject: cannot run %s: %s\n", o->command[0], strerror(errno));
		_exit(127);
	}
	/*
	 * Ctrl-C at a terminal reaches the command too; a signal sent to
	 * sgscope alone is passed on.  Either way, wait for it to go.
	 */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		if (interrupted && !forwarded) {
			kill(pid, interrupted);
			forwarded = true;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The command's exit status, or 1 when it could not start. */
static int command_status(const struct inject_opts *o)
{
	int status = run_command(o);

	if (status >= 0)
		return status;
	fprintf(stderr, "sgscope inject: cannot start the command: %s\n", strerror(-status));
	return 1;
}

/*
 * --cost: one copy of the cost object per function, attached at its entry
 * (fentry, else a kprobe), for as long as the command runs.  A copy per
 * function because a program is bound to its fentry target when it is
 * loaded.  So --cost cannot be one tracer_run, which runs one object: its
 * copies go through tracer_run's own steps (tracer_load, tracer_unload)
 * one at a time, and the command runs once they are all attached.
 */
struct cost_copy {
	const struct planted_cost *cost;
	const char *candidates[2];
	struct cost_bpf *skel;
};

static int cost_open(void *ctx, const struct bpf_object_open_opts *open_opts,
		     struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct cost_copy *c = ctx;

	c->skel = cost_bpf__open_opts(open_opts);
	if (!c->skel)
		return -1;
	c->skel->rodata->iterations = c->cost->iterations;
	*skeleton = c->skel->skeleton;
	return 0;
}

static int cost_points(void *ctx, struct probe_point *points)
{
	struct cost_copy *c = ctx;

	c->candidates[0] = c->cost->function;
	points[0] = (struct probe_point) {
		.what = "planted cost",
		.candidates = c->candidates,
		.fentry = c->skel->progs.cost_enter_fentry,
		.kprobe = c->skel->progs.cost_enter_kprobe,
	};
	return 1;
}

static void cost_refused(void *ctx)
{
	struct cost_copy *c = ctx;

	fprintf(stderr, "sgscope inject: the kernel refused the cost program for %s "
		"(bpf_loop needs Linux 5.17; -v shows the verifier's log)\n", c->cost->function);
}

static void cost_close(void *ctx)
{
	struct cost_copy *c = ctx;

	cost_bpf__destroy(c->skel);
	c->skel = NULL;
}

static const struct tracer cost_tracer = {
	.name = "inject",
	.what = "planted costs",
	.open = cost_open,
	.points = cost_points,
	.refused = cost_refused,
	.close = cost_close,
};

/* --cost's armed lines: what each function now runs, and how attached */
static void cost_report_armed(const struct inject_opts *o, const struct tracer_state *state)
{
	struct json j;
	int i;

	for (i = 0; i < o->ncosts; i++) {
		const struct planted_cost *c = &o->costs[i];
		const char *attach = probe_kind_name(state[i].points[0].kind);

		if (o->json) {
			json_line_begin(&j, stderr);
			json_string(&j, "tool", "inject");
			json_string(&j, "report", "armed");
			json_string(&j, "mode", "cost");
			json_string(&j, "function", c->function);
			json_string(&j, "attach", attach);
			json_u64(&j, "insns", (unsigned long long)c->iterations *
				 SGSCOPE_COST_INSNS_PER_ITERATION);
			json_u64(&j, "iterations", c->iterations);
			json_line_end(&j);
			continue;
		}
		fprintf(stderr, "sgscope inject: armed: every call of %s (%s) runs %llu more "
			"instructions (%u iterations of %d)\n", c->function, attach,
			(unsigned long long)c->iterations * SGSCOPE_COST_INSNS_PER_ITERATION,
			c->iterations, SGSCOPE_COST_INSNS_PER_ITERATION);
	}
}

/* --cost's disarmed lines: how often each function paid */
static void cost_report_disarmed(const struct inject_opts *o, const struct cost_copy *copies,
				 int status)
{
	struct json j;
	int i;

	for (i = 0; i < o->ncosts; i++) {
		const struct planted_cost *c = &o->costs[i];
		unsigned long long calls = copies[i].skel->bss->calls;

		if (o->json) {
			json_line_begin(&j, stderr);
			json_string(&j, "tool", "inject");
			json_string(&j, "report", "disarmed");
			json_string(&j, "mode", "cost");
			json_string(&j, "function", c->function);
			json_u64(&j, "calls", calls);
			json_u64(&j, "iterations_run", copies[i].skel->bss->spun);
			json_i64(&j, "status", status);
			json_line_end(&j);
			continue;
		}
		fprintf(stderr, "sgscope inject: disarmed; %s paid its cost %llu times\n",
			c->function, calls);
	}
}

static int cost_run(const struct inject_opts *o, const struct sgscope_opts *opts)
{
	struct cost_copy copies[MAX_COSTS] = {};
	struct tracer_state *state;
	int i, loaded = 0, status = 1;

	if (session_check(opts))
		return 1;
	state = calloc(o->ncosts, sizeof(*state));
	if (!state)
		return 1;
	for (i = 0; i < o->ncosts; i++) {
		copies[i].cost = &o->costs[i];
		loaded = i + 1;
		if (tracer_load(opts, &cost_tracer, &copies[i], &state[i]))
			goto out;
	}
	cost_report_armed(o, state);
	status = command_status(o);
	cost_report_disarmed(o, copies, status);
out:
	for (i = 0; i < loaded; i++)
		tracer_unload(&cost_tracer, &copies[i], &state[i]);
	free(state);
	return status;
}

/*
 * The other modes: one inject object on tracer_run's lifecycle, its run
 * the command's: the hooks on should_fail_alloc_page and should_failslab
 * (failing inside ALSA buffer allocation, or counting the kernel's own
 * failures), the mode armed, the command run, everything put back.
 */
struct inject {
	const struct inject_opts *o;
	struct inject_bpf *skel;
	struct bpf_link *hooks[2];
	bool scoped;		/* --order, --all: failures of our own */
	/*
	 * Otherwise the kernel's own failures are counted where its hooks are
	 * functions: without CONFIG_FAIL_PAGE_ALLOC or CONFIG_FAILSLAB (6.12
	 * on) each is an inline that returns false.
	 */
	bool counted[2];
	char cgroup[256];	/* --pressure's */
	pid_t helper;		/* --fragment's, --pressure's, --lowmem's */
	unsigned long high_before, high_after;		/* --fragment */
	unsigned long long some0, full0, some1, full1;	/* PSI */
};

static int inject_check(void *ctx)
{
	struct inject *in = ctx;

	return kernel_supports(in->o) ? 0 : -1;
}

static int inject_open(void *ctx, const struct bpf_object_open_opts *open_opts,
		       struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct inject *in = ctx;
	const struct inject_opts *o = in->o;

	in->skel = inject_bpf__open_opts(open_opts);
	if (!in->skel)
		return -1;
	in->skel->rodata->min_order = o->mode == MODE_ALL ? 0 : o->order;
	in->skel->rodata->fail_slab = o->mode == MODE_ALL;
	in->skel->rodata->probability = o->probability;
	in->skel->rodata->max_times = o->times;
	in->scoped = o->mode == MODE_ORDER || o->mode == MODE_ALL;
	in->counted[0] = !in->scoped && kernel_func_exists("should_fail_alloc_page");
	in->counted[1] = !in->scoped && kernel_func_exists("should_failslab");
	bpf_program__set_autoload(in->skel->progs.fail_page, in->scoped);
	bpf_program__set_autoload(in->skel->progs.fail_slab_alloc, in->scoped);
	bpf_program__set_autoload(in->skel->progs.count_page, in->counted[0]);
	bpf_program__set_autoload(in->skel->progs.count_slab, in->counted[1]);
	*skeleton = in->skel->skeleton;
	return 0;
}

static int inject_points(void *ctx, struct probe_point *points)
{
	struct inject *in = ctx;

	points[0] = PROBE_POINT(in->skel, mark, "ALSA buffer allocation", alloc_candidates, false);
	return 1;
}

static void inject_refused(void *ctx)
{
	fprintf(stderr, "sgscope inject: the kernel refused the BPF programs: fmod_ret on "
		"should_fail_alloc_page needs CONFIG_FUNCTION_ERROR_INJECTION and BTF "
		"(-v shows the verifier's log)\n");
}

/*
 * fail_page and fail_slab_alloc when scoped, else count_page and
 * count_slab where the kernel has their functions
 */
static int attach_hooks(struct inject *in)
{
	struct inject_bpf *skel = in->skel;

	if (in->scoped) {
		in->hooks[0] = bpf_program__attach(skel->progs.fail_page);
		in->hooks[1] = bpf_program__attach(skel->progs.fail_slab_alloc);
	} else {
		if (in->counted[0])
			in->hooks[0] = bpf_program__attach(skel->progs.count_page);
		if (in->counted[1])
			in->hooks[1] = bpf_program__attach(skel->progs.count_slab);
	}
	if ((in->hooks[0] || !(in->scoped || in->counted[0])) &&
	    (in->hooks[1] || !(in->scoped || in->counted[1])))
		return 0;
	fprintf(stderr, "sgscope inject: cannot attach to should_fail_alloc_page/should_failslab: %s\n",
		strerror(errno));
	return -1;
}

static int arm_fragment(struct inject *in)
{
	const struct inject_opts *o = in->o;

	if (arm_sysctls_for_fragmentation())
		return -1;
	buddyinfo_print(stderr, "before");
	in->high_before = buddyinfo_blocks_from(o->order_min);
	in->helper = fragment_start(o->percent, o->order_min);
	if (in->helper < 0) {
		fprintf(stderr, "sgscope inject: cannot fragment %d%% of free memory\n", o->percent);
		return -1;
	}
	buddyinfo_print(stderr, "after");
	in->high_after = buddyinfo_blocks_from(o->order_min);
	/* below 100%, the memory not taken keeps its blocks, as asked */
	if (fragment_verdict(stderr, o->order_min) && o->percent == 100) {
		fprintf(stderr, "sgscope inject: fragmentation incomplete\n");
		return -1;
	}
	watch_holder(in->helper);
	return 0;
}

static int arm_pressure(struct inject *in)
{
	psi_memory(&in->some0, &in->full0);
	in->helper = pressure_start(in->o->pressure_mb, in->cgroup, sizeof(in->cgroup));
	if (in->helper < 0) {
		fprintf(stderr, "sgscope inject: cannot start stress-ng in %s: %s\n",
			in->cgroup, strerror(errno));
		return -1;
	}
	sleep(1);
	return 0;
}

static int arm_lowmem(struct inject *in)
{
	psi_memory(&in->some0, &in->full0);
	in->helper = lowmem_start(in->o->lowmem_mb);
	if (in->helper < 0) {
		fprintf(stderr, "sgscope inject: cannot take free memory down to the min watermark\n");
		return -1;
	}
	watch_holder(in->helper);
	return 0;
}

/* The mode's trouble, made: 0 or -1 after a message. */
static int arm(struct inject *in)
{
	switch (in->o->mode) {
	case MODE_SLAB:
		return arm_debugfs(FAILSLAB, in->o);
	case MODE_PAGES:
		return arm_debugfs(FAIL_PAGE, in->o);
	case MODE_NTH:
		return arm_debugfs(FAILSLAB, in->o) || arm_debugfs(FAIL_PAGE, in->o) ? -1 : 0;
	case MODE_FRAGMENT:
		return arm_fragment(in);
	case MODE_PRESSURE:
		return arm_pressure(in);
	case MODE_LOWMEM:
		return arm_lowmem(in);
	default:
		return 0;
	}
}

/* The helpers stopped and the knobs put back; status, or 1 if a helper ended early. */
static int disarm(struct inject *in, int status)
{
	enum inject_mode mode = in->o->mode;
	int held;

	if (mode == MODE_PRESSURE || mode == MODE_LOWMEM)
		psi_memory(&in->some1, &in->full1);
	fragment_holder = -1;
	/* a condition that ended early did not hold for all the command did */
	if ((mode == MODE_FRAGMENT || mode == MODE_LOWMEM) && in->helper > 0 &&
	    waitpid(in->helper, &held, WNOHANG) == in->helper) {
		fprintf(stderr, "sgscope inject: the %s helper ended while armed (%s %d%s)\n",
			mode_names[mode], WIFSIGNALED(held) ? "signal" : "exit status",
			WIFSIGNALED(held) ? WTERMSIG(held) : WEXITSTATUS(held),
			WIFSIGNALED(held) && WTERMSIG(held) == SIGKILL ?
			": the OOM killer? see the kernel log" : "");
		in->helper = -1;
		status = 1;
	}
	if (memload_stop(in->helper, in->cgroup))
		status = 1;
	in->helper = -1;
	in->cgroup[0] = '\0';
	knobs_restore();
	return status;
}

static void report_disarmed_json(const struct inject *in, int status)
{
	const struct inject_opts *o = in->o;
	const struct inject_bpf *skel = in->skel;
	struct json j;

	json_line_begin(&j, stderr);
	json_string(&j, "tool", "inject");
	json_string(&j, "report", "disarmed");
	json_string(&j, "mode", mode_names[o->mode]);
	if (in->scoped || in->counted[0])
		json_u64(&j, "injected_pages", in->scoped ? skel->bss->injected_pages :
			 skel->bss->kernel_pages);
	if (in->scoped || in->counted[1])
		json_u64(&j, "injected_slab", in->scoped ? skel->bss->injected_slab :
			 skel->bss->kernel_slab);
	json_u64(&j, "scoped_calls", skel->bss->scoped_calls);
	if (o->mode == MODE_FRAGMENT) {
		json_u64(&j, "order_min", o->order_min);
		json_u64(&j, "high_order_blocks_before", in->high_before);
		json_u64(&j, "high_order_blocks_after", in->high_after);
	}
	if (o->mode == MODE_PRESSURE || o->mode == MODE_LOWMEM) {
		json_u64(&j, "psi_some_us", in->some1 - in->some0);
		json_u64(&j, "psi_full_us", in->full1 - in->full0);
	}
	json_i64(&j, "status", status);
	json_line_end(&j);
}

static void report_disarmed(const struct inject *in, int status)
{
	const struct inject_opts *o = in->o;
	const struct inject_bpf *skel = in->skel;

	if (o->json) {
		report_disarmed_json(in, status);
		return;
	}
	fprintf(stderr, "sgscope inject: disarmed");
	if (in->scoped || (in->counted[0] && in->counted[1]))
		fprintf(stderr, "; injected %llu page and %llu slab allocation failures",
			(unsigned long long)(in->scoped ? skel->bss->injected_pages :
					     skel->bss->kernel_pages),
			(unsigned long long)(in->scoped ? skel->bss->injected_slab :
					     skel->bss->kernel_slab));
	else
		fprintf(stderr, "; the kernel's own allocation failures not counted "
			"(no should_fail_alloc_page or should_failslab in its BTF)");
	if (in->scoped)
		fprintf(stderr, " (%llu allocation calls inside ALSA buffer allocation)",
			(unsigned long long)skel->bss->scoped_calls);
	if (o->mode == MODE_FRAGMENT)
		fprintf(stderr, "; free blocks of order >= %d: %lu before, %lu after",
			o->order_min, in->high_before, in->high_after);
	if (o->mode == MODE_PRESSURE || o->mode == MODE_LOWMEM)
		fprintf(stderr, "; PSI memory stall: some %llu us, full %llu us",
			in->some1 - in->some0, in->full1 - in->full0);
	fprintf(stderr, "\n");
}

static int inject_run(void *ctx)
{
	struct inject *in = ctx;
	struct json j;
	int status;

	if (attach_hooks(in) || arm(in))
		return 1;
	describe_armed(in->o, &j);
	status = disarm(in, command_status(in->o));
	report_disarmed(in, status);
	return status;
}

/* also what an error left armed */
static void inject_close(void *ctx)
{
	struct inject *in = ctx;

	fragment_holder = -1;
	memload_stop(in->helper, in->cgroup);
	knobs_restore();
	bpf_link__destroy(in->hooks[0]);
	bpf_link__destroy(in->hooks[1]);
	inject_bpf__destroy(in->skel);
}

static const struct tracer inject_tracer = {
	.name = "inject",
	.what = "memory trouble",
	.check = inject_check,
	.open = inject_open,
	.points = inject_points,
	.refused = inject_refused,
	.run = inject_run,
	.close = inject_close,
};

static int inject_main(int argc, char **argv)
{
	struct sgscope_opts common = { .command = "inject", .card = -1, .pcm = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct inject_opts o;
	struct inject in = { .o = &o, .helper = -1 };
	int err;

	err = parse(argc, argv, &o);
	if (err)
		return err;
	common.verbose = o.verbose;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (o.mode == MODE_COST)
		return cost_run(&o, &common);
	return tracer_run(&common, &inject_tracer, &in);
}

const struct subcommand inject_command = {
	.name = "inject",
	.summary = "allocation failures and memory pressure, injected on purpose",
	.main = inject_main,
	.usage = usage,
	.help = help,
};
