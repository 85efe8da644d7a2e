// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope compare BASE NEW: per cell and metric, medians, % change and a
 * two-sided Mann-Whitney U test; flags regressions, writes compare.md and
 * compare.jsonl, exits 1 if anything regressed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "json.h"
#include "subcommands.h"

#define P_LIMIT		0.01
/*
 * Measured between runs of one commit: the largest |% change| of a
 * median (docs/measurements.md has the committed runs, written from them
 * by tools/bench/measurements.py).
 */
#define ICOUNT_CENTRAL_PCT	2.0
#define ICOUNT_CENTRAL_NOISE	"0.97%"
#define ICOUNT_TAIL_PCT		5.0
#define ICOUNT_TAIL_NOISE	"3.05% (its histogram slots are 1/8 octave)"
#define ICOUNT_PART_PCT		2.0
#define ICOUNT_PART_NOISE	"0.81% (docs/allocation-costs.md)"
#define ALLOCATOR_PCT		100.0
#define ALLOCATOR_NOISE		"(medians moved up to 88% between runs of one commit, and +37% at p 0.008)"

/*
 * The thresholds, per clock and metric kind.  In icount mode they sit
 * above the run-to-run spread measured between two runs of one commit
 * (docs/measurements.md has the committed runs);
 * in wall clock they are what the host's weather allows at best.
 */
static const struct compare_rule rules[][METRIC_KINDS] = {
	[RUN_ICOUNT] = {
		[METRIC_CENTRAL] = { .pct = ICOUNT_CENTRAL_PCT,
			.why = "medians of two runs of one commit moved at most "
			       ICOUNT_CENTRAL_NOISE " (instruction counts)" },
		[METRIC_TAIL] = { .pct = ICOUNT_TAIL_PCT,
			.why = "a p99 is one of the few slowest faults: it moved at most "
			       ICOUNT_TAIL_NOISE " between runs" },
		[METRIC_COUNTER] = { .exact = true,
			.why = "outcomes (fallbacks, failures, xruns) repeat exactly under "
			       "icount: any change is the code's" },
		[METRIC_ALLOCATOR] = { .pct = ALLOCATOR_PCT,
			.why = "the allocator's state decides chunk counts and the times of "
			       "allocating and mapping, and the runs do not control it: a "
			       "distribution, flagged when it doubles " ALLOCATOR_NOISE },
		[METRIC_STATE] = { .pct = INFINITY,
			.why = "the allocator's state decided it (a vmalloc range, a refill, an SG "
			       "fallback's chunks), and runs of other histories differ: a lab shard's "
			       "vmap-area took 3.7 times a plain run's; shown, never flagged" },
		[METRIC_PART] = { .pct = ICOUNT_PART_PCT,
			.why = "an allocation's own code path, part by part (sgscope allocs' "
			       "split, interrupts and time off the CPU taken out): medians of "
			       "two runs of one commit moved at most " ICOUNT_PART_NOISE },
	},
	[RUN_WALLCLOCK] = {
		[METRIC_CENTRAL] = { .pct = 5,
			.why = "host load moves whole boots 30-116% under plain TCG: only "
			       "large, significant moves mean anything" },
		[METRIC_TAIL] = { .pct = 10,
			.why = "tails move more than medians with host load" },
		[METRIC_COUNTER] = { .exact = true,
			.why = "outcomes: any change in the bad direction" },
		[METRIC_ALLOCATOR] = { .pct = ALLOCATOR_PCT,
			.why = "the allocator's state decides chunk counts and the times of "
			       "allocating and mapping: a distribution; only a doubling is flagged" },
		[METRIC_STATE] = { .pct = INFINITY,
			.why = "the allocator's state decided it: shown, never flagged" },
		[METRIC_PART] = { .pct = 5,
			.why = "code-path times, moved by the host's load as central ones are" },
	},
};

const struct compare_rule *compare_rule(enum run_clock clock, enum metric_kind kind)
{
	return &rules[clock][kind];
}

void compare_series(const struct series *base, const struct series *new,
		    enum run_clock clock, struct verdict *v)
{
	const struct compare_rule *rule = compare_rule(clock, new->kind);
	bool worse, better;

	memset(v, 0, sizeof(*v));
	v->base_median = stats_median(base->values, base->count);
	v->new_median = stats_median(new->values, new->count);
	if (v->base_median != 0)
		v->change_pct = (v->new_median - v->base_median) / fabs(v->base_median) * 100;
	else
		v->change_pct = v->new_median == 0 ? 0 : (v->new_median > 0 ? INFINITY : -INFINITY);
	worse = new->higher_is_better ? v->new_median < v->base_median :
					v->new_median > v->base_median;
	better = new->higher_is_better ? v->new_median > v->base_median :
					 v->new_median < v->base_median;
	if (rule->exact) {
		v->regression = worse;
		v->improvement = better;
		return;
	}
	v->tested = !mann_whitney_u(base->values, base->count, new->values,
				    new->count, &v->test);
	if (!v->tested || v->test.p >= P_LIMIT || fabs(v->change_pct) < rule->pct)
		return;
	v->regression = worse;
	v->improvement = better;
}

static const char *verdict_word(const struct verdict *v)
{
	return v->regression ? "REGRESSION" : v->improvement ? "improved" : "same";
}

/*
 * Cells that have series in @run and not in @other (a cell added to or
 * dropped from the matrix, a filtered run): named once each, so that a
 * comparison that skipped them says so.  Returns how many series.
 */
static size_t report_unmatched(struct run_samples *run, struct run_samples *other,
			       const char *which, FILE *md)
{
	bool *missing = calloc(run->count ? run->count : 1, sizeof(*missing));
	size_t i, j, series = 0;

	if (!missing) {
		fprintf(stderr, "sgscope compare: out of memory listing the cells only in %s\n",
			which);
		return 0;
	}
	for (i = 0; i < run->count; i++)
		missing[i] = !samples_find(other, run->series[i].cell, run->series[i].metric);
	for (i = 0; i < run->count; i++) {
		const char *cell = run->series[i].cell;
		bool first = missing[i];
		size_t in_cell = 0;

		/* a cell is named at its first missing series */
		for (j = 0; j < i && first; j++)
			first = !missing[j] || strcmp(run->series[j].cell, cell);
		if (!first)
			continue;
		for (j = i; j < run->count; j++)
			in_cell += missing[j] && !strcmp(run->series[j].cell, cell);
		series += in_cell;
		printf("only in %s: %s (%zu series, not compared)\n", which, cell, in_cell);
		if (md)
			fprintf(md, "- only in %s: `%s` (%zu series, not compared)\n",
				which, cell, in_cell);
	}
	free(missing);
	return series;
}

/* The rule of every kind, for compare.md: what is flagged, and why. */
static void write_rules(FILE *md, enum run_clock clock)
{
	int k;

	fprintf(md, "| kind | flagged when | why |\n|---|---|---|\n");
	for (k = 0; k < METRIC_KINDS; k++) {
		const struct compare_rule *r = compare_rule(clock, k);

		if (r->exact)
			fprintf(md, "| %s | any move in the bad direction | %s |\n",
				metric_kind_names[k], r->why);
		else
			fprintf(md, "| %s | p < %g and the median %g%% worse | %s |\n",
				metric_kind_names[k], P_LIMIT, r->pct, r->why);
	}
	fprintf(md, "\n");
}

/*
 * How far the medians moved, per metric kind: p50, p95 and max of |% change|.
 * Two runs of one commit make this the noise table the thresholds stand on.
 */
struct spread {
	double *pct[METRIC_KINDS];
	size_t count[METRIC_KINDS];
};

static void spread_add(struct spread *sp, enum metric_kind kind, double pct)
{
	double *grown;

	if (!isfinite(pct))
		return;
	grown = realloc(sp->pct[kind], (sp->count[kind] + 1) * sizeof(*grown));
	if (!grown)
		return;
	sp->pct[kind] = grown;
	grown[sp->count[kind]++] = fabs(pct);
}

static void spread_print(struct spread *sp, FILE *md)
{
	int k;

	printf("spread of |%% change| of the medians, by kind:\n");
	if (md)
		fprintf(md, "\n**Spread of |%% change| of the medians** (two runs of one commit: "
			"the noise the thresholds must clear)\n\n"
			"| kind | series | p50 | p95 | max |\n|---|---|---|---|---|\n");
	for (k = 0; k < METRIC_KINDS; k++) {
		const double *v = sp->pct[k];
		size_t n = sp->count[k];

		if (!n)
			continue;
		printf("  %-10s %4zu series  p50 %.2f%%  p95 %.2f%%  max %.2f%%\n",
		       metric_kind_names[k], n, stats_quantile(v, n, 0.5),
		       stats_quantile(v, n, 0.95), stats_quantile(v, n, 1));
		if (md)
			fprintf(md, "| %s | %zu | %.2f%% | %.2f%% | %.2f%% |\n", metric_kind_names[k],
				n, stats_quantile(v, n, 0.5), stats_quantile(v, n, 0.95),
				stats_quantile(v, n, 1));
		free(sp->pct[k]);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sgscope compare [--all] BASE NEW\n");
}

static void help(void)
{
	usage(stdout);
	printf("\nCompares two benchmark runs (folders with samples.jsonl) per cell and metric:\n"
	       "medians, %% change, two-sided Mann-Whitney U test. A REGRESSION is p < 0.01 and\n"
	       "the median worse by the threshold of the metric's kind in the runs' clock\n"
	       "(run.json's \"clock\"; compare.md lists them and why); outcome counters must\n"
	       "not get worse at all. Runs in different clocks are not compared (exit 2).\n"
	       "First a headline per regression, largest first: its size, metric, cell, the\n"
	       "commits and the test's p; then every series of the cells where one moved\n"
	       "(--all: every series). Writes NEW/compare.md (all series) and\n"
	       "NEW/compare.jsonl (both runs' values, for tools/bench/report_html.py's\n"
	       "report.html); exits 1 if anything regressed.\n\n"
	       "example:\n  sgscope compare results/baseline results/20261121T160000Z-abc1234\n");
}

/* Both runs' run.json, into base and new: 0, or -1 after a message. */
static int runs_clock(const char *base_dir, const char *new_dir, struct run_info *base,
		      struct run_info *new)
{
	if (run_info_load(base_dir, base) || run_info_load(new_dir, new))
		return -1;
	if (base->clock != new->clock || base->shift != new->shift) {
		fprintf(stderr, "sgscope compare: %s was measured in %s, %s in %s: their times "
			"are not comparable (compare runs of one clock)\n", base_dir, base->text,
			new_dir, new->text);
		return -1;
	}
	return 0;
}

/* "0123456789ab ("subject")", "0123456789ab+dirty", or "an unknown commit" */
static void commit_name(const struct run_info *info, char *buf, size_t len)
{
	if (!*info->commit) {
		snprintf(buf, len, "an unknown commit");
		return;
	}
	snprintf(buf, len, "%s%s%s%s%s", info->commit, info->dirty ? "+dirty" : "",
		 *info->subject ? " (\"" : "", info->subject, *info->subject ? "\")" : "");
}

/* One series of the new run and its verdict against the base's. */
struct compared {
	const struct series *series;
	const struct series *base;
	struct verdict v;
	bool in_changed_cell;	/* a series of its cell regressed or improved */
};

struct comparison {
	struct compared *rows;
	size_t count, regressions, changed;
	struct run_info base, new;
	const char *base_dir, *new_dir;
};

/* Every series in both runs, judged; a cell's series all shown if one moved. */
static int compare_all(struct run_samples *base, struct run_samples *new,
		       struct comparison *c, struct spread *spread)
{
	size_t i, j;

	c->rows = calloc(new->count ? new->count : 1, sizeof(*c->rows));
	if (!c->rows) {
		fprintf(stderr, "sgscope compare: out of memory\n");
		return -1;
	}
	for (i = 0; i < new->count; i++) {
		const struct series *b = samples_find(base, new->series[i].cell,
						      new->series[i].metric);
		struct compared *r = &c->rows[c->count];

		if (!b)
			continue;
		r->series = &new->series[i];
		r->base = b;
		compare_series(b, r->series, c->new.clock, &r->v);
		spread_add(spread, r->series->kind, r->v.change_pct);
		c->regressions += r->v.regression;
		c->count++;
	}
	for (i = 0; i < c->count; i++)
		for (j = 0; j < c->count && !c->rows[i].in_changed_cell; j++)
			c->rows[i].in_changed_cell = (c->rows[j].v.regression ||
						      c->rows[j].v.improvement) &&
				!strcmp(c->rows[i].series->cell, c->rows[j].series->cell);
	for (i = 0; i < c->count; i++)
		c->changed += c->rows[i].in_changed_cell;
	return 0;
}

static int by_size(const void *a, const void *b)
{
	double x = fabs((*(const struct compared * const *)a)->v.change_pct);
	double y = fabs((*(const struct compared * const *)b)->v.change_pct);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The p value as the table gives it: exact, or ~ for the normal approximation. */
static void p_text(const struct verdict *v, char *buf, size_t len)
{
	if (v->tested)
		snprintf(buf, len, "%.2g%s", v->test.p, v->test.exact ? "" : "~");
	else
		snprintf(buf, len, "exact");
}

/*
 * The headline, as a 0-day report's: one line per regression, largest
 * first, "+12.3% regression of METRIC in CELL on COMMIT", with what the
 * decision stood on; or the line that nothing regressed.  On stdout, or
 * as markdown into md.
 */
static void write_headlines(const struct comparison *c, FILE *md)
{
	const struct compared **sorted = calloc(c->regressions + 1, sizeof(*sorted));
	char commit[256], base[256], p[32];
	FILE *out = md ? md : stdout;
	size_t i, n = 0;

	commit_name(&c->new, commit, sizeof(commit));
	commit_name(&c->base, base, sizeof(base));
	if (!c->regressions || !sorted) {
		fprintf(out, md ? "**No regression** on %s against %s: %zu series compared.\n\n" :
			"no regression on %s against %s: %zu series compared\n", commit, base, c->count);
		free(sorted);
		return;
	}
	for (i = 0; i < c->count; i++)
		if (c->rows[i].v.regression)
			sorted[n++] = &c->rows[i];
	qsort(sorted, n, sizeof(*sorted), by_size);
	for (i = 0; i < n; i++) {
		const struct compared *r = sorted[i];

		p_text(&r->v, p, sizeof(p));
		fprintf(out, md ? "- **%+.1f%% regression of %s** in `%s` on %s against %s: median "
			"%.4g -> %.4g %s, p %s, %zu vs %zu iterations\n" :
			"%+.1f%% regression of %s in %s on %s against %s: median %.4g -> %.4g %s, "
			"p %s, %zu vs %zu iterations\n", r->v.change_pct, r->series->metric,
			r->series->cell, commit, base, r->v.base_median, r->v.new_median,
			r->series->unit, p, r->base->count, r->series->count);
	}
	if (md)
		fprintf(md, "\n");
	free(sorted);
}

/*
 * The commands that measure the largest regression's cell again at the
 * new run's commit, as it was run (level, iterations, planted knobs), and
 * compare it with the base.
 */
static void write_reproduce(const struct comparison *c, FILE *md)
{
	const struct compared *worst = NULL;
	const struct run_info *n = &c->new;
	char delay[48] = "";
	size_t i;

	for (i = 0; i < c->count; i++)
		if (c->rows[i].v.regression &&
		    (!worst || fabs(c->rows[i].v.change_pct) > fabs(worst->v.change_pct)))
			worst = &c->rows[i];
	if (!worst || !md)
		return;
	if (n->page_delay_ns)
		snprintf(delay, sizeof(delay), "BENCH_PAGE_DELAY_NS=%ld ", n->page_delay_ns);
	fprintf(md, "To reproduce (the largest regression's cell, as the new run was made):\n\n"
		"```\ngit checkout %s%s\nmake kernel sgscope\n"
		"%sbuild/sgscope/sgscope bench%s --iterations %d --filter '%s'%s -o results/reproduce\n"
		"build/sgscope/sgscope compare %s results/reproduce\n```\n\n",
		*n->commit ? n->commit : "NEW-COMMIT",
		n->dirty ? "   # the run had changes not committed: apply them" : "",
		delay, strcmp(n->level, "quick") ? "" : " --quick",
		n->iterations > 0 ? n->iterations : 5, worst->series->cell, n->costs, c->base_dir);
}

/* The table: the series of the cells that changed, or with all every one. */
static void write_table(const struct comparison *c, bool all, FILE *md)
{
	size_t i;
	char p[32];

	if (!all && !c->changed) {
		printf("no series moved past its threshold (--all lists every series)\n");
		return;
	}
	printf("%-40s %-22s %12s %12s %8s %9s  %s\n", "CELL", "METRIC", "BASE", "NEW",
	       "CHANGE", "P", "VERDICT");
	for (i = 0; i < c->count; i++) {
		const struct compared *r = &c->rows[i];

		p_text(&r->v, p, sizeof(p));
		if (all || r->in_changed_cell)
			printf("%-40s %-22s %12.4g %12.4g %+7.1f%% %9s  %s\n", r->series->cell,
			       r->series->metric, r->v.base_median, r->v.new_median,
			       r->v.change_pct, p, verdict_word(&r->v));
		if (md)
			fprintf(md, "| %s | %s | %s | %.4g | %.4g | %+.1f%% | %s | %s |\n",
				r->series->cell, r->series->metric, r->series->unit,
				r->v.base_median, r->v.new_median, r->v.change_pct, p,
				r->v.regression ? "**REGRESSION**" : verdict_word(&r->v));
	}
	if (!all)
		printf("(%zu series of the cells that changed; --all lists all %zu)\n", c->changed,
		       c->count);
}

static void json_values(struct json *j, const char *key, const struct series *s)
{
	size_t i;

	json_array_begin(j, key);
	for (i = 0; i < s->count; i++)
		json_double(j, NULL, s->values[i]);
	json_array_end(j);
}

/*
 * NEW/compare.jsonl, what tools/bench/report_html.py draws: a line naming the
 * runs, then one per series with both runs' values and the verdict.
 */
static void write_jsonl(const struct comparison *c)
{
	char path[4200], commit[256], base[256];
	struct json j;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/compare.jsonl", c->new_dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "sgscope compare: cannot write %s\n", path);
		return;
	}
	commit_name(&c->new, commit, sizeof(commit));
	commit_name(&c->base, base, sizeof(base));
	json_line_begin(&j, f);
	json_string(&j, "report", "compare");
	json_string(&j, "base", c->base_dir);
	json_string(&j, "new", c->new_dir);
	json_string(&j, "base_commit", base);
	json_string(&j, "new_commit", commit);
	json_string(&j, "clock", c->new.text);
	json_u64(&j, "series", c->count);
	json_u64(&j, "regressions", c->regressions);
	json_line_end(&j);
	for (i = 0; i < c->count; i++) {
		const struct compared *r = &c->rows[i];

		json_line_begin(&j, f);
		json_string(&j, "report", "series");
		json_string(&j, "cell", r->series->cell);
		json_string(&j, "metric", r->series->metric);
		json_string(&j, "unit", r->series->unit);
		json_string(&j, "kind", metric_kind_names[r->series->kind]);
		json_double(&j, "base_median", r->v.base_median);
		json_double(&j, "new_median", r->v.new_median);
		json_double(&j, "change_pct", r->v.change_pct);
		json_double_g(&j, "p", r->v.tested ? r->v.test.p : NAN);
		json_string(&j, "verdict", verdict_word(&r->v));
		json_bool(&j, "in_changed_cell", r->in_changed_cell);
		json_values(&j, "base_values", r->base);
		json_values(&j, "new_values", r->series);
		json_line_end(&j);
	}
	fclose(f);
}

/* NEW/compare.md: headline, rules, the table of every series; or NULL */
static FILE *md_open(const struct comparison *c)
{
	enum run_clock clock = c->new.clock;
	char path[4200];
	FILE *md;

	snprintf(path, sizeof(path), "%s/compare.md", c->new_dir);
	md = fopen(path, "w");
	if (!md)
		return NULL;
	fprintf(md, "# sgscope compare\n\nbase: `%s`, new: `%s`\n\n", c->base_dir, c->new_dir);
	write_headlines(c, md);
	write_reproduce(c, md);
	fprintf(md, "Clock of both runs: **%s**. %s\n\n", c->new.text,
		clock == RUN_ICOUNT ?
		"Every time below is guest time: instructions executed, scaled by the shift; "
		"it follows the code path, not caches or the host's load." :
		"Every time below follows the host's wall clock and moves with its load.");
	write_rules(md, clock);
	fprintf(md, "| cell | metric | unit | base median | new median | change | p | verdict |\n"
		"|---|---|---|---|---|---|---|---|\n");
	return md;
}

static int compare_runs(const char *base_dir, const char *new_dir, bool all)
{
	struct comparison c = { .base_dir = base_dir, .new_dir = new_dir };
	struct spread spread = {};
	struct run_samples base, new;
	size_t unmatched;
	FILE *md;

	if (runs_clock(base_dir, new_dir, &c.base, &c.new) || samples_load(base_dir, &base))
		return 2;
	if (samples_load(new_dir, &new)) {
		samples_free(&base);
		return 2;
	}
	if (compare_all(&base, &new, &c, &spread)) {
		samples_free(&base);
		samples_free(&new);
		return 2;
	}
	printf("clock: %s; times are %s\n", c.new.text,
	       c.new.clock == RUN_ICOUNT ? "guest ns, i.e. instructions executed scaled by the shift" :
					   "wall-clock ns, moved by the host's load");
	write_headlines(&c, NULL);
	md = md_open(&c);
	write_table(&c, all, md);
	spread_print(&spread, md);
	if (md)
		fprintf(md, "\n");
	unmatched = report_unmatched(&base, &new, "base", md);
	unmatched += report_unmatched(&new, &base, "new", md);
	printf("%zu series compared, %zu regressed, %zu in one run only\n", c.count,
	       c.regressions, unmatched);
	if (md) {
		fprintf(md, "\n%zu series compared, %zu regressed, %zu in one run only (p: exact U "
			"distribution with mid-ranks up to 20 + 20 values, or ~ normal "
			"approximation with tie and continuity correction).\n",
			c.count, c.regressions, unmatched);
		fclose(md);
	}
	write_jsonl(&c);
	free(c.rows);
	samples_free(&base);
	samples_free(&new);
	return c.regressions ? 1 : 0;
}

struct compare_args {
	bool all;
};

static const struct cli_option compare_options[] = {
	{ "all", 0, false, option_set_flag, NULL, offsetof(struct compare_args, all) },
	{ NULL },
};

static int compare_main(int argc, char **argv)
{
	struct compare_args a = {};
	const struct cli_group groups[] = { { compare_options, &a }, { NULL } };
	int err, at;

	err = options_scan(&compare_command, groups, 0, argc, argv, &at);
	if (err)
		return err;
	if (argc - at != 2)
		return usage_error(&compare_command, "%s", argc - at < 2 ? "two run folders, BASE and NEW" :
				   "only two run folders, BASE and NEW");
	return compare_runs(argv[at], argv[at + 1], a.all);
}

const struct subcommand compare_command = {
	.name = "compare",
	.summary = "compare two benchmark runs and flag regressions",
	.main = compare_main,
	.usage = usage,
	.help = help,
};
