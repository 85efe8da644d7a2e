// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sgscope's histogram, percentile and JSON code: a plain C
 * runner printing one "ok - " or "not ok - " line per check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "json.h"

static int failures, checks;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf("%s - unit: ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void add(struct sgscope_hist *h, unsigned long long v)
{
	unsigned int slot = hist_slot_of(v);

	h->slots[slot]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
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
	unsigned long long p50, p90, p99, v;

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

int main(void)
{
	test_slots();
	test_percentiles();
	test_delta_merge();
	test_json();
	test_print();
	printf("# %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
