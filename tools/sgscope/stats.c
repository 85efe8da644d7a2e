// SPDX-License-Identifier: GPL-2.0
/* Medians and the Mann-Whitney U test for sgscope compare. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A sorted copy of v (free it), or NULL if n is 0 or memory ran out. */
static double *sorted_copy(const double *v, size_t n)
{
	double *s;

	if (!n)
		return NULL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double stats_median(const double *v, size_t n)
{
	double *s = sorted_copy(v, n), m;

	if (!s)
		return NAN;
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

int stats_line_fit(const double *x, const double *y, size_t n, double *fixed, double *slope)
{
	double *slopes = malloc(n * n / 2 * sizeof(*slopes) + sizeof(*slopes));
	double *rest = malloc(n * sizeof(*rest) + sizeof(*rest));
	size_t i, j, m = 0;
	int err = -1;

	if (!slopes || !rest)
		goto out;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (x[j] != x[i])
				slopes[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (!m)
		goto out;
	*slope = stats_median(slopes, m);
	for (i = 0; i < n; i++)
		rest[i] = y[i] - *slope * x[i];
	*fixed = stats_median(rest, n);
	err = 0;
out:
	free(slopes);
	free(rest);
	return err;
}

double stats_quantile(const double *v, size_t n, double q)
{
	double *s = q < 0 || q > 1 ? NULL : sorted_copy(v, n), m;
	/* nearest rank: the smallest value with at least q of them at or below */
	size_t rank = (size_t)ceil(q * n);

	if (!s)
		return NAN;
	m = s[rank ? rank - 1 : 0];
	free(s);
	return m;
}

struct tagged {
	double v;
	int first;
};

static int cmp_tagged(const void *a, const void *b)
{
	return cmp_double(&((const struct tagged *)a)->v, &((const struct tagged *)b)->v);
}

/*
 * The exact two-sided p of a rank sum, ties included: under H0 every choice
 * of na of the n ranks (mid-ranks for ties, doubled to stay integers) is
 * as likely, so count, by dynamic programming, the choices whose sum lies
 * at least as far from the mean as the observed one.
 */
static double exact_p(const int *rank2, size_t n, size_t na, int observed2)
{
	size_t i, c;
	int total2 = 0, s;
	double *ways, mean2, far, all = 0, extreme = 0;

	for (i = 0; i < n; i++)
		total2 += rank2[i];
	ways = calloc((na + 1) * (total2 + 1), sizeof(*ways));
	if (!ways)
		return NAN;
#define W(cc, ss) ways[(cc) * (total2 + 1) + (ss)]
	W(0, 0) = 1;
	for (i = 0; i < n; i++)
		for (c = i + 1 < na ? i + 1 : na; c >= 1; c--)
			for (s = total2; s >= rank2[i]; s--)
				W(c, s) += W(c - 1, s - rank2[i]);
	mean2 = (double)na * total2 / n;
	far = fabs(observed2 - mean2) - 1e-9;
	for (s = 0; s <= total2; s++) {
		all += W(na, s);
		if (fabs(s - mean2) >= far)
			extreme += W(na, s);
	}
#undef W
	free(ways);
	return extreme / all;
}

int mann_whitney_u(const double *a, size_t na, const double *b, size_t nb,
		   struct mann_whitney *out)
{
	size_t n = na + nb, i, j, k;
	struct tagged *all;
	double rank_sum = 0, ties = 0, mu, sigma2;
	int *rank2, observed2 = 0;

	memset(out, 0, sizeof(*out));
	if (!na || !nb)
		return -1;
	all = malloc(n * sizeof(*all));
	rank2 = malloc(n * sizeof(*rank2));
	if (!all || !rank2) {
		free(all);
		free(rank2);
		return -1;
	}
	for (i = 0; i < na; i++)
		all[i] = (struct tagged){ a[i], 1 };
	for (i = 0; i < nb; i++)
		all[na + i] = (struct tagged){ b[i], 0 };
	qsort(all, n, sizeof(*all), cmp_tagged);
	/* average ranks over runs of equal values */
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		t = j - i;
		if (t > 1)
			ties += t * t * t - t;
		for (k = i; k < j; k++) {
			/* twice the mid-rank (i + 1 + j) / 2: an integer */
			rank2[k] = i + 1 + j;
			if (all[k].first) {
				rank_sum += rank2[k] / 2.0;
				observed2 += rank2[k];
			}
		}
	}
	free(all);
	out->u = rank_sum - na * (na + 1) / 2.0;
	if (na <= 20 && nb <= 20) {
		out->exact = 1;
		out->p = fmin(1.0, exact_p(rank2, n, na, observed2));
		free(rank2);
		return 0;
	}
	free(rank2);
	mu = na * nb / 2.0;
	sigma2 = na * nb / 12.0 * ((n + 1) - ties / ((double)n * (n - 1)));
	if (sigma2 <= 0) {
		out->p = 1;
		return 0;
	}
	/* continuity correction toward the mean */
	out->z = (fabs(out->u - mu) - 0.5) / sqrt(sigma2);
	if (out->z < 0)
		out->z = 0;
	out->p = fmin(1.0, erfc(out->z / sqrt(2)));
	return 0;
}
