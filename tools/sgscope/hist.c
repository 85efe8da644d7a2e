// SPDX-License-Identifier: GPL-2.0
/* Histogram arithmetic, percentiles and printing for sgscope. */
#include <string.h>
#include "hist.h"
#include "json.h"

#define SUB	SGSCOPE_HIST_SUB
#define SUB_BITS SGSCOPE_HIST_SUB_BITS

unsigned int hist_slot_of(__u64 value)
{
	return sgscope_hist_slot(value);
}

__u64 hist_slot_low(unsigned int slot)
{
	unsigned int e = slot / SUB + 2, sub = slot % SUB;

	if (slot < 2 * SUB)
		return slot;
	return (__u64)(SUB + sub) << (e - SUB_BITS);
}

__u64 hist_slot_high(unsigned int slot)
{
	if (slot + 1 >= SGSCOPE_HIST_SLOTS)
		return ~0ULL;
	return hist_slot_low(slot + 1);
}

void hist_merge(struct sgscope_hist *dst, const struct sgscope_hist *src)
{
	unsigned int i;

	dst->count += src->count;
	dst->sum += src->sum;
	dst->errors += src->errors;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < SGSCOPE_HIST_SLOTS; i++) {
		dst->slots[i] += src->slots[i];
		dst->slot_sums[i] += src->slot_sums[i];
	}
}

void hist_delta(struct sgscope_hist *out, const struct sgscope_hist *now,
		const struct sgscope_hist *before)
{
	int i, top = -1;

	out->count = now->count - before->count;
	out->sum = now->sum - before->sum;
	out->errors = now->errors - before->errors;
	for (i = 0; i < SGSCOPE_HIST_SLOTS; i++) {
		out->slots[i] = now->slots[i] - before->slots[i];
		out->slot_sums[i] = now->slot_sums[i] - before->slot_sums[i];
		if (out->slots[i])
			top = i;
	}
	if (top < 0)
		out->max = 0;
	else if (now->max > before->max)
		out->max = now->max;
	else
		out->max = hist_slot_high(top) - 1 < now->max ?
			   hist_slot_high(top) - 1 : now->max;
}

double hist_mean(const struct sgscope_hist *h)
{
	return h->count ? (double)h->sum / h->count : 0;
}

__u64 hist_percentile(const struct sgscope_hist *h, double pct)
{
	double low, high, mean, half, value;
	__u64 seen = 0, rank;
	unsigned int i;

	if (!h->count)
		return 0;
	rank = (__u64)(pct / 100.0 * h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank >= h->count)
		return h->max;
	for (i = 0; i < SGSCOPE_HIST_SLOTS; i++) {
		if (!h->slots[i] || seen + h->slots[i] < rank) {
			seen += h->slots[i];
			continue;
		}
		low = hist_slot_low(i);
		high = hist_slot_high(i);
		/*
		 * Spread the slot's samples evenly over the widest range
		 * inside the slot that has their mean in its middle: the
		 * whole slot when they average its middle, a point when
		 * they all took the same time.
		 */
		mean = (double)h->slot_sums[i] / h->slots[i];
		if (mean >= low && mean <= high) {
			half = mean - low < high - mean ? mean - low : high - mean;
			low = mean - half;
			high = mean + half;
		}
		value = low + (high - low) * (rank - seen) / (h->slots[i] + 1);
		return value + 0.5 < h->max ? (__u64)(value + 0.5) : h->max;
	}
	return h->max;
}

static void print_stars(FILE *f, __u64 val, __u64 max, int width)
{
	int n = max ? (int)((double)val * width / max + 0.5) : 0, i;

	if (val && !n)
		n = 1;
	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
}

/* Sum the fine slots into log2 buckets: bucket b holds [2^b, 2^(b+1)). */
static int log2_buckets(const struct sgscope_hist *h, __u64 *buckets)
{
	unsigned int i;
	int top = -1, b;

	memset(buckets, 0, 65 * sizeof(*buckets));
	for (i = 0; i < SGSCOPE_HIST_SLOTS; i++) {
		__u64 low = hist_slot_low(i);

		if (!h->slots[i])
			continue;
		b = low ? sgscope_log2(low) + 1 : 0;
		buckets[b] += h->slots[i];
		if (b > top)
			top = b;
	}
	return top;
}

static __u64 bucket_low(int b)
{
	return b ? 1ULL << (b - 1) : 0;
}

static __u64 bucket_high(int b)
{
	return b ? (1ULL << b) - 1 : 0;
}

void hist_print(FILE *f, const struct sgscope_hist *h, const char *unit)
{
	__u64 buckets[65], peak = 0;
	int top, b, first = 0;

	fprintf(f, "count %llu  mean %.0f  p50 %llu  p90 %llu  p99 %llu  max %llu (%s)",
		(unsigned long long)h->count, hist_mean(h),
		(unsigned long long)hist_percentile(h, 50),
		(unsigned long long)hist_percentile(h, 90),
		(unsigned long long)hist_percentile(h, 99),
		(unsigned long long)h->max, unit);
	if (h->errors)
		fprintf(f, "  errors %llu", (unsigned long long)h->errors);
	fputc('\n', f);
	top = log2_buckets(h, buckets);
	if (top < 0)
		return;
	for (b = 0; b <= top; b++)
		if (buckets[b] > peak)
			peak = buckets[b];
	/* from the first bucket that has samples, like the JSON */
	while (!buckets[first])
		first++;
	fprintf(f, "%24s : %-10s distribution\n", unit, "count");
	for (b = first; b <= top; b++) {
		fprintf(f, "%10llu -> %-10llu : %-10llu |",
			(unsigned long long)bucket_low(b),
			(unsigned long long)bucket_high(b),
			(unsigned long long)buckets[b]);
		print_stars(f, buckets[b], peak, 40);
		fputs("|\n", f);
	}
}

void hist_json(struct json *j, const struct sgscope_hist *h)
{
	__u64 buckets[65];
	int top, b;

	json_u64(j, "count", h->count);
	json_double(j, "mean_ns", hist_mean(h));
	json_u64(j, "p50_ns", hist_percentile(h, 50));
	json_u64(j, "p90_ns", hist_percentile(h, 90));
	json_u64(j, "p99_ns", hist_percentile(h, 99));
	json_u64(j, "max_ns", h->max);
	json_u64(j, "errors", h->errors);
	top = log2_buckets(h, buckets);
	json_array_begin(j, "log2");
	for (b = 0; b <= top; b++) {
		if (!buckets[b])
			continue;
		json_object_begin(j, NULL);
		json_u64(j, "low", bucket_low(b));
		json_u64(j, "high", bucket_high(b));
		json_u64(j, "count", buckets[b]);
		json_object_end(j);
	}
	json_array_end(j);
	/* the slots themselves (8 per power of two): finer, for ECDFs */
	json_array_begin(j, "slots");
	for (b = 0; b < SGSCOPE_HIST_SLOTS; b++) {
		if (!h->slots[b])
			continue;
		json_object_begin(j, NULL);
		json_u64(j, "low", hist_slot_low(b));
		json_u64(j, "high", hist_slot_high(b));
		json_u64(j, "count", h->slots[b]);
		json_object_end(j);
	}
	json_array_end(j);
}
