// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sgscope's histogram, percentile and JSON code: a plain C
 * runner printing its KTAP plan, then one "ok - " or "not ok - " line per
 * check.
 */
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "json.h"
#include "compare.h"
#include "options.h"
#include "samples.h"
#include "stats.h"
#include "tap.h"


static void add(struct sgscope_hist *h, unsigned long long v)
{
	sgscope_hist_record(h, v, 0);
}

static void test_slots(void)
{
	unsigned long long v;
	unsigned int s, bad = 0, last = 0;

	for (v = 0; v < 16; v++)
		bad += hist_slot_of(v) != v;
	check(!bad, "values 0-15 get a slot each");
	check(hist_slot_of(~0ULL) == SGSCOPE_HIST_SLOTS - 1,
	      "the largest value lands in the last slot (%u)", hist_slot_of(~0ULL));
	for (s = 0; s + 1 < SGSCOPE_HIST_SLOTS; s++) {
		bad += hist_slot_low(s) >= hist_slot_high(s);
		bad += hist_slot_of(hist_slot_low(s)) != s;
		bad += hist_slot_of(hist_slot_high(s) - 1) != s;
	}
	check(!bad, "every slot's low and high-1 map back to it");
	bad = 0;
	for (v = 1; v < (1ULL << 40); v = v * 3 / 2 + 1) {
		s = hist_slot_of(v);
		bad += s < last;
		bad += v < hist_slot_low(s) || v >= hist_slot_high(s);
		last = s;
	}
	check(!bad, "slots grow with the value and contain it");
	for (v = 16, bad = 0; v < (1ULL << 50); v = v * 5 / 4 + 3) {
		s = hist_slot_of(v);
		/* a slot spans at most 1/8 of its low bound: 12.5% */
		bad += (hist_slot_high(s) - hist_slot_low(s)) * 8 > hist_slot_low(s);
	}
	check(!bad, "slots above 16 are at most 12.5%% wide");
}

static void test_percentiles(void)
{
	struct sgscope_hist h = {};
	unsigned long long p50, p90, p99, p50_slower, v;

	check(hist_percentile(&h, 50) == 0, "an empty histogram has p50 0");
	check(hist_mean(&h) == 0, "an empty histogram has mean 0");
	for (v = 1; v <= 10000; v++)
		add(&h, v * 100);
	p50 = hist_percentile(&h, 50);
	p90 = hist_percentile(&h, 90);
	p99 = hist_percentile(&h, 99);
	check(p50 > 500000 * 0.875 && p50 < 500000 * 1.125, "p50 of 100..1000000 is near 500000 (%llu)", p50);
	check(p90 > 900000 * 0.875 && p90 < 900000 * 1.125, "p90 is near 900000 (%llu)", p90);
	check(p99 > 990000 * 0.875 && p99 <= 1000000, "p99 is near 990000 (%llu)", p99);
	check(hist_percentile(&h, 100) == 1000000, "p100 is the max");
	check(hist_mean(&h) == 500050.0, "mean is exact (%.1f)", hist_mean(&h));

	memset(&h, 0, sizeof(h));
	add(&h, 7);
	check(hist_percentile(&h, 50) == 7 && hist_percentile(&h, 99) == 7,
	      "one sample is every percentile");
	memset(&h, 0, sizeof(h));
	for (v = 0; v < 99; v++)
		add(&h, 1000);
	add(&h, 1000000);
	check(hist_percentile(&h, 50) < 1200, "an outlier does not move p50 (%llu)",
	      hist_percentile(&h, 50));
	check(hist_percentile(&h, 99) < 1200, "p99 of 99x1000 + one 1e6 stays at 1000s (%llu)",
	      hist_percentile(&h, 99));
	check(h.max == 1000000, "max keeps the outlier");

	/*
	 * A code path that always takes the same time, all in one slot
	 * ([1792, 1920)): its p50 is that time whether or not a few slower
	 * samples share the slot, not the slot's middle (1855).
	 */
	memset(&h, 0, sizeof(h));
	for (v = 0; v < 320; v++)
		add(&h, 1832);
	p50 = hist_percentile(&h, 50);
	memset(&h, 0, sizeof(h));
	for (v = 0; v < 316; v++)
		add(&h, 1832);
	for (v = 0; v < 4; v++)
		add(&h, 1900);
	p50_slower = hist_percentile(&h, 50);
	check(p50 == 1832, "a slot whose samples all took 1832 has p50 1832 (%llu)", p50);
	check(p50_slower >= 1832 && p50_slower <= 1834,
	      "... and 4 slower samples of 320 in the same slot move it at most 2 (%llu)", p50_slower);
}

static void test_delta_merge(void)
{
	struct sgscope_hist a = {}, b = {}, d, m = {};
	unsigned long long v;

	for (v = 0; v < 100; v++)
		add(&a, 1000);
	b = a;
	for (v = 0; v < 10; v++)
		add(&b, 50000);
	hist_delta(&d, &b, &a);
	check(d.count == 10 && d.sum == 500000, "the delta holds just the new samples (%llu)",
	      (unsigned long long)d.count);
	check(d.max == 50000, "the delta's max is the new max");
	a = b;
	add(&b, 2000);
	hist_delta(&d, &b, &a);
	check(d.count == 1 && d.max >= 2000 && d.max < 2300,
	      "an interval below the total max reports its own top slot (%llu)",
	      (unsigned long long)d.max);
	hist_delta(&d, &b, &b);
	check(d.count == 0 && d.max == 0, "no new samples: an empty delta");
	hist_merge(&m, &a);
	hist_merge(&m, &b);
	check(m.count == a.count + b.count && m.max == 50000 &&
	      m.slots[hist_slot_of(1000)] == 200, "merging adds counts and keeps the max");
}

static char *json_of(void (*write)(struct json *j))
{
	static char *buf;
	size_t len;
	struct json j;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	json_line_begin(&j, f);
	write(&j);
	json_line_end(&j);
	fclose(f);
	return buf;
}

static void write_scalars(struct json *j)
{
	json_string(j, "s", "a\"b\\c\nd\t\x01");
	json_u64(j, "u", 18446744073709551615ULL);
	json_i64(j, "i", -5);
	json_double(j, "d", 1.5);
	json_double(j, "nan", 0.0 / 0.0);
	json_bool(j, "t", true);
	json_string(j, "n", NULL);
}

static void write_nested(struct json *j)
{
	json_array_begin(j, "a");
	json_object_begin(j, NULL);
	json_u64(j, "x", 1);
	json_object_end(j);
	json_object_begin(j, NULL);
	json_object_end(j);
	json_array_end(j);
	json_object_begin(j, "o");
	json_array_begin(j, "e");
	json_array_end(j);
	json_object_end(j);
	json_u64(j, "after", 2);
}

static void write_hist(struct json *j)
{
	struct sgscope_hist h = {};

	add(&h, 3);
	add(&h, 1000);
	add(&h, 1000);
	hist_json(j, &h);
}

static void test_json(void)
{
	const char *s;

	s = json_of(write_scalars);
	check(!strcmp(s, "{\"s\":\"a\\\"b\\\\c\\nd\\t\\u0001\",\"u\":18446744073709551615,"
		      "\"i\":-5,\"d\":1.500,\"nan\":null,\"t\":true,\"n\":null}\n"),
	      "scalars and escapes: %s", s);
	s = json_of(write_nested);
	check(!strcmp(s, "{\"a\":[{\"x\":1},{}],\"o\":{\"e\":[]},\"after\":2}\n"),
	      "nested arrays and objects: %s", s);
	s = json_of(write_hist);
	check(strstr(s, "\"count\":3,") && strstr(s, "\"max_ns\":1000,") &&
	      strstr(s, "{\"low\":2,\"high\":3,\"count\":1}") &&
	      strstr(s, "{\"low\":512,\"high\":1023,\"count\":2}"),
	      "a histogram's JSON has count, max and its log2 buckets: %s", s);
	check(strchr(s, '\n') == s + strlen(s) - 1, "one object, one line");
}

static void test_print(void)
{
	struct sgscope_hist h = {};
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	add(&h, 100);
	add(&h, 3000);
	hist_print(f, &h, "nsecs");
	fclose(f);
	check(strstr(buf, "count 2 ") && strstr(buf, "max 3000") &&
	      strstr(buf, "64 -> 127") && strstr(buf, "2048 -> 4095"),
	      "the text histogram shows the summary line and log2 buckets");
	free(buf);
}

static void test_mann_whitney_ties(void);

static void test_mann_whitney(void)
{
	double a[20], b[20];
	struct mann_whitney r;
	int i;

	for (i = 0; i < 5; i++) {
		a[i] = i + 1;
		b[i] = i + 6;
	}
	/* complete separation, n = 5 + 5: exact p = 2 / C(10, 5) = 2 / 252 */
	mann_whitney_u(a, 5, b, 5, &r);
	check(r.exact && r.u == 0 && fabs(r.p - 2.0 / 252) < 1e-9,
	      "U test: 1..5 vs 6..10 gives U 0, exact p 2/252 (%.6f)", r.p);
	mann_whitney_u(b, 5, a, 5, &r);
	check(r.u == 25 && fabs(r.p - 2.0 / 252) < 1e-9, "U test: the other way round, U 25, same p");
	for (i = 0; i < 10; i++) {
		a[i] = i + 1;
		b[i] = i + 11;
	}
	/* n = 10 + 10: exact p = 2 / C(20, 10) = 2 / 184756 */
	mann_whitney_u(a, 10, b, 10, &r);
	check(r.exact && fabs(r.p - 2.0 / 184756) < 1e-12,
	      "U test: 1..10 vs 11..20, exact p 2/184756 (%.3g)", r.p);
	/* interleaved: no evidence at all */
	for (i = 0; i < 10; i++) {
		a[i] = 2 * i;
		b[i] = 2 * i + 1;
	}
	mann_whitney_u(a, 10, b, 10, &r);
	check(r.p > 0.5, "U test: interleaved samples give a large p (%.3f)", r.p);
	test_mann_whitney_ties();
	check(mann_whitney_u(a, 0, b, 3, &r) == -1, "U test: an empty sample is refused");
	check(stats_median((double[]){ 3, 1, 2 }, 3) == 2 &&
	      stats_median((double[]){ 4, 1, 3, 2 }, 4) == 2.5, "median of odd and even samples");
}

/* tied values, from histogram slots or equal samples */
static void test_mann_whitney_ties(void)
{
	struct mann_whitney r;

	/*
	 * ties: ranks 1.5 1.5 4.5 4.5 | 4.5 4.5 7.5 7.5, U = 2, rank sum 12
	 * against a mean of 18; of the 70 ways to pick 4 ranks, 6 sum to 12
	 * and 6 to 24: exact p = 12/70 (the normal approximation said 0.0863)
	 */
	{
		double x[] = { 1, 1, 2, 2 }, y[] = { 2, 2, 3, 3 };

		mann_whitney_u(x, 4, y, 4, &r);
		check(r.exact && r.u == 2 && fabs(r.p - 12.0 / 70) < 1e-9,
		      "U test with ties, exact: U 2, p 12/70 (U %.1f p %.4f)", r.u, r.p);
	}
	/* values from histogram slots tie within each run: apart is apart */
	{
		double x[] = { 3456, 3456, 3456, 3456, 3456 };
		double y[] = { 4865, 4865, 4866, 4865, 4865 };

		mann_whitney_u(x, 5, y, 5, &r);
		check(r.exact && fabs(r.p - 2.0 / 252) < 1e-9,
		      "U test: 5 tied values all below 5 others, exact p 2/252 (%.4f)", r.p);
	}
	/* past 20 per sample, the tie-corrected normal approximation */
	{
		double x[21], y[21];
		int i;

		for (i = 0; i < 21; i++) {
			x[i] = i / 2;
			y[i] = i / 2 + 3;
		}
		mann_whitney_u(x, 21, y, 21, &r);
		check(!r.exact && r.z > 0 && r.p < 0.05,
		      "U test: 21 + 21 tied values use the normal approximation (p %.3g)", r.p);
	}
	{
		double x[] = { 3, 3, 3 }, y[] = { 3, 3, 3 };

		mann_whitney_u(x, 3, y, 3, &r);
		check(r.p == 1, "U test: all values equal gives p 1");
	}
	{
		double x[] = { 1 }, y[] = { 2 };

		mann_whitney_u(x, 1, y, 1, &r);
		check(r.exact && r.p == 1, "U test: one value each cannot be significant (p %.2f)", r.p);
	}
}

static void test_samples_parse(void)
{
	struct series key;
	double v = 0;

	check(!sample_parse_line("{\"cell\":\"pcm2/direct/256k/none\",\"metric\":\"alloc_ns\","
				 "\"unit\":\"ns\",\"iteration\":3,\"value\":1.5e3,"
				 "\"higher_is_better\":false,\"kind\":\"tail\"}", &key, &v) &&
	      !strcmp(key.cell, "pcm2/direct/256k/none") && !strcmp(key.metric, "alloc_ns") &&
	      v == 1500 && key.kind == METRIC_TAIL && !key.higher_is_better,
	      "a samples.jsonl line parses into cell, metric, value and kind");
	check(!sample_parse_line("{ \"value\" : -2, \"metric\": \"m\", \"cell\": \"c\\\"q\", "
				 "\"higher_is_better\": true, \"x\": null }", &key, &v) &&
	      v == -2 && key.higher_is_better && !strcmp(key.cell, "c\"q"),
	      "spaces, escapes, true and null are understood");
	check(sample_parse_line("{\"cell\":\"c\",\"value\":1}", &key, &v) == -1,
	      "a line without a metric is refused");
	check(sample_parse_line("{\"cell\":\"c\",\"metric\":\"m\",\"value\":}", &key, &v) == -1,
	      "a malformed value is refused");
	check(!sample_parse_line("{\"cell\":\"c\",\"metric\":\"chunks\",\"value\":3,"
				 "\"kind\":\"allocator\"}", &key, &v) && key.kind == METRIC_ALLOCATOR,
	      "kind allocator parses");
	check(!sample_parse_line("{\"cell\":\"c\",\"metric\":\"alloc_path_ns\",\"value\":3,"
				 "\"kind\":\"part\"}", &key, &v) && key.kind == METRIC_PART,
	      "kind part parses");
	check(!sample_parse_line("{\"cell\":\"c\",\"metric\":\"alloc_state_ns\",\"value\":3,"
				 "\"kind\":\"state\"}", &key, &v) && key.kind == METRIC_STATE,
	      "kind state parses");
	check(sample_parse_line("{\"cell\":\"c\",\"metric\":\"m\",\"value\":3,"
				"\"kind\":\"sideways\"}", &key, &v) == -1,
	      "an unknown kind is refused, not taken for central");
}

static void series_of(struct series *s, const char *metric, enum metric_kind kind,
		      bool higher_better, double center, double spread, double *buf, int n)
{
	int i;

	memset(s, 0, sizeof(*s));
	snprintf(s->metric, sizeof(s->metric), "%s", metric);
	s->kind = kind;
	s->higher_is_better = higher_better;
	for (i = 0; i < n; i++)
		buf[i] = center + spread * ((i * 7919) % n - n / 2) / n;
	s->values = buf;
	s->count = n;
}

static void test_decision(void)
{
	double b1[12], b2[12];
	struct series base, new;
	struct verdict v;

	series_of(&base, "alloc_ns", METRIC_CENTRAL, false, 1000, 10, b1, 12);
	series_of(&new, "alloc_ns", METRIC_CENTRAL, false, 1200, 10, b2, 12);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(v.regression && fabs(v.change_pct - 20) < 0.5, "decision: 20%% slower, low noise: REGRESSION");
	series_of(&new, "alloc_ns", METRIC_CENTRAL, false, 1020, 10, b2, 12);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression, "decision: 2%% slower is not flagged (p %.3g)", v.test.p);
	series_of(&new, "alloc_ns", METRIC_CENTRAL, false, 800, 10, b2, 12);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression && v.improvement, "decision: 20%% faster is an improvement");
	series_of(&base, "ops_per_s", METRIC_CENTRAL, true, 1000, 10, b1, 12);
	series_of(&new, "ops_per_s", METRIC_CENTRAL, true, 800, 10, b2, 12);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(v.regression, "decision: higher-is-better 20%% down is a REGRESSION");
	series_of(&base, "p99_ns", METRIC_TAIL, false, 1000, 10, b1, 12);
	series_of(&new, "p99_ns", METRIC_TAIL, false, 1080, 10, b2, 12);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression, "decision: a tail metric 8%% up stays under its 10%% bar");
	series_of(&base, "fallbacks", METRIC_COUNTER, false, 3, 0, b1, 3);
	series_of(&new, "fallbacks", METRIC_COUNTER, false, 4, 0, b2, 3);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(v.regression && !v.tested, "decision: a counter that grows is compared exactly: REGRESSION");
	series_of(&new, "fallbacks", METRIC_COUNTER, false, 3, 0, b2, 3);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression, "decision: an unchanged counter is fine");
	/* too few samples to be significant, however large the move */
	series_of(&base, "alloc_ns", METRIC_CENTRAL, false, 1000, 10, b1, 2);
	series_of(&new, "alloc_ns", METRIC_CENTRAL, false, 2000, 10, b2, 2);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression, "decision: 2 vs 2 samples cannot reach p < 0.01 (p %.3f)", v.test.p);
}

static void test_quantile(void)
{
	const double v[] = { 5, 1, 3, 2, 4, 6, 7, 8, 9, 10 };

	check(stats_quantile(v, 10, 0.5) == 5 && stats_quantile(v, 10, 0.95) == 10 &&
	      stats_quantile(v, 10, 1) == 10 && stats_quantile(v, 10, 0) == 1 &&
	      stats_quantile(v, 10, 0.9) == 9, "nearest-rank quantiles: p50, p90, p95, min, max");
	check(isnan(stats_quantile(v, 0, 0.5)) && isnan(stats_quantile(v, 10, 1.5)),
	      "a quantile of nothing, or past 1, is NAN");
}

/* dmamap's fit: a map costs fixed + per entry, a few maps interrupted */
static void test_line_fit(void)
{
	double x[12], y[12], fixed = 0, slope = 0;
	int i;

	for (i = 0; i < 12; i++) {
		x[i] = 20 + 4 * i;
		y[i] = 7880 + 440 * x[i];
	}
	/* two maps an interrupt landed in */
	y[3] += 80000;
	y[7] += 900;
	i = stats_line_fit(x, y, 12, &fixed, &slope);
	check(!i && fabs(slope - 440) < 1e-9 && fabs(fixed - 7880) < 1e-9,
	      "line fit: 7880 ns + 440 ns per entry, through two interrupted maps (%g + %g)",
	      fixed, slope);
	for (i = 0; i < 12; i++)
		x[i] = 64;
	check(stats_line_fit(x, y, 12, &fixed, &slope) == -1,
	      "line fit: maps all of one entry count give no slope");
	check(stats_line_fit(x, y, 0, &fixed, &slope) == -1, "line fit: no maps, no fit");
}

/* icount's thresholds sit just above its measured noise */
static void test_decision_icount(void)
{
	double b1[12], b2[12];
	struct series base, new;
	struct verdict v;

	series_of(&base, "fault_round_ns", METRIC_CENTRAL, false, 100000, 100, b1, 5);
	series_of(&new, "fault_round_ns", METRIC_CENTRAL, false, 103000, 100, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(v.regression, "icount: 3%% slower, 5 + 5 iterations apart: REGRESSION (p %.3g)", v.test.p);
	compare_series(&base, &new, RUN_WALLCLOCK, &v);
	check(!v.regression, "wall clock: the same 3%% is under its 5%% bar");
	series_of(&new, "fault_round_ns", METRIC_CENTRAL, false, 100500, 100, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(!v.regression, "icount: 0.5%% slower is noise, not flagged");
	series_of(&base, "alloc_path_ns", METRIC_PART, false, 154000, 0, b1, 5);
	series_of(&new, "alloc_path_ns", METRIC_PART, false, 158620, 0, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(v.regression, "icount: an allocation's code path 3%% longer: REGRESSION");
	series_of(&new, "alloc_path_ns", METRIC_PART, false, 155540, 0, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(!v.regression, "icount: the same path 1%% longer is under the part bar (2%%)");
	series_of(&base, "alloc_vmap_area_ns", METRIC_STATE, false, 5736, 0, b1, 5);
	series_of(&new, "alloc_vmap_area_ns", METRIC_STATE, false, 21400, 0, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(!v.regression, "icount: a state part 3.7 times another history's is shown, not flagged");
	series_of(&base, "chunks", METRIC_ALLOCATOR, false, 63, 4, b1, 5);
	series_of(&new, "chunks", METRIC_ALLOCATOR, false, 64, 4, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(!v.regression && v.tested,
	      "icount: chunks the allocator chose, 63 -> 64, are a distribution: not flagged");
	series_of(&new, "chunks", METRIC_ALLOCATOR, false, 128, 4, b2, 5);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(v.regression, "icount: chunks doubled: REGRESSION");
	series_of(&base, "sg_fallbacks", METRIC_COUNTER, false, 0, 0, b1, 1);
	series_of(&new, "sg_fallbacks", METRIC_COUNTER, false, 1, 0, b2, 1);
	compare_series(&base, &new, RUN_ICOUNT, &v);
	check(v.regression && !v.tested, "icount: an outcome counter is exact: 0 -> 1 fallback flagged");
	check(compare_rule(RUN_ICOUNT, METRIC_CENTRAL)->pct < compare_rule(RUN_WALLCLOCK, METRIC_CENTRAL)->pct &&
	      compare_rule(RUN_ICOUNT, METRIC_TAIL)->why && compare_rule(RUN_WALLCLOCK, METRIC_ALLOCATOR)->why,
	      "every rule says why; icount's central bar is below wall clock's");
}

static const struct subcommand unit_command = { .name = "unit", .summary = "options", .times_ops = true };
static const struct subcommand unit_no_op_command = { .name = "unit", .summary = "options" };

#define ARGC(argv)	((int)(sizeof(argv) / sizeof((argv)[0])) - 1)

/* the tracing options, through options_parse (usage errors go to stderr) */
static void test_tracing_options(void)
{
	char *all[] = { "unit", "-i", "1.5", "--duration", "2", "-p", "3", "--pid", "7", "--json",
			"-v", "--btf", "/x", "--attach", "kprobe", "--no-op", NULL };
	char *none[] = { "unit", NULL };
	char *zero[] = { "unit", "-i", "0", NULL }, *attach[] = { "unit", "--attach", "x", NULL };
	char *missing[] = { "unit", "-p", NULL }, *extra[] = { "unit", "extra", NULL };
	char *no_op[] = { "unit", "--no-op", NULL };
	struct sgscope_opts o;
	int err;

	err = options_parse(ARGC(all), all, &unit_command, &o);
	check(!err && o.interval == 1.5 && o.duration == 2 && o.pcm == 3 && o.pid == 7 && o.json &&
	      o.verbose && o.btf_path && !strcmp(o.btf_path, "/x") && o.attach == ATTACH_KPROBE &&
	      o.no_op && o.card == -1 && !strcmp(o.command, "unit"),
	      "options: every tracing option lands in its field (exit %d)", err);
	err = options_parse(ARGC(none), none, &unit_command, &o);
	check(!err && !o.json && !o.verbose && !o.no_op && o.pcm == -1 && o.card == -1 && !o.pid &&
	      o.attach == ATTACH_AUTO && !o.interval && !o.duration && !o.btf_path,
	      "options: no option leaves the defaults");
	check(options_parse(ARGC(zero), zero, &unit_command, &o) == 2 &&
	      options_parse(ARGC(attach), attach, &unit_command, &o) == 2,
	      "options: a bad value is a usage error (exit 2)");
	check(options_parse(ARGC(missing), missing, &unit_command, &o) == 2 &&
	      options_parse(ARGC(extra), extra, &unit_command, &o) == 2,
	      "options: a missing value or an operand is a usage error (exit 2)");
	check(options_parse(ARGC(no_op), no_op, &unit_no_op_command, &o) == 2,
	      "options: --no-op is unknown to a subcommand that times no .page op");
}

struct unit_values {
	bool flag;
	int n;
	const char *s;
};

static const struct cli_option unit_options[] = {
	{ "flag", 'f', false, option_set_flag, NULL, offsetof(struct unit_values, flag) },
	{ "num", 0, true, option_set_int, "bad num '%s'", offsetof(struct unit_values, n), 2, 5 },
	{ "str", 's', true, option_set_string, NULL, offsetof(struct unit_values, s) },
	{ NULL },
};

/* options_scan with a table of its own, in order: options end at the first operand */
static void test_options_scan(void)
{
	char *line[] = { "unit", "-f", "--num", "4", "-s", "x", "cmd", "--num", "9", NULL };
	char *range[] = { "unit", "--num", "6", NULL };
	struct unit_values v = {};
	const struct cli_group groups[] = { { unit_options, &v }, { NULL } };
	int err, at = -1;

	err = options_scan(&unit_no_op_command, groups, SCAN_IN_ORDER, ARGC(line), line, &at);
	check(!err && v.flag && v.n == 4 && v.s && !strcmp(v.s, "x") && at == 6,
	      "options: a table's flag, number and string, the operand at 6 (exit %d, at %d)", err, at);
	check(options_scan(&unit_no_op_command, groups, 0, ARGC(range), range, &at) == 2 && v.n == 4,
	      "options: a number out of its range is a usage error, the field left as it was");
}

int main(void)
{
	tap_begin("unit");
	test_slots();
	test_percentiles();
	test_delta_merge();
	test_json();
	test_print();
	test_mann_whitney();
	test_samples_parse();
	test_decision();
	test_decision_icount();
	test_quantile();
	test_line_fit();
	test_tracing_options();
	test_options_scan();
	return tap_end();
}
