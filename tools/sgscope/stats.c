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

double stats_median(const double *v, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double stats_quantile(const double *v, size_t n, double q)
{
	double *s, m;
	size_t rank;

	if (!n || q < 0 || q > 1)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	/* nearest rank: the smallest value with at least q of them at or below */
	rank = (size_t)ceil(q * n);
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

/* P(U <= u) under H0, by counting: f(i, j, k) arrangements with U = k. */
static double exact_cdf(size_t n1, size_t n2, double u)
{
	size_t i, j, k, max = n1 * n2;
	double *prev, *cur, total = 0, below = 0;
	/* ways[j][k] for the current i, rolling over i */
	double *ways = calloc((n2 + 1) * (max + 1), sizeof(double));
	double *next = calloc((n2 + 1) * (max + 1), sizeof(double));

	if (!ways || !next) {
		free(ways);
		free(next);
		return NAN;
	}
#define W(t, jj, kk) (t)[(jj) * (max + 1) + (kk)]
	/* i = 0: U = 0 whatever j */
	for (j = 0; j <= n2; j++)
		W(ways, j, 0) = 1;
	for (i = 1; i <= n1; i++) {
		memset(next, 0, (n2 + 1) * (max + 1) * sizeof(double));
		for (j = 0; j <= n2; j++)
			for (k = 0; k <= max; k++) {
				/* the largest value is from sample 1: it beats all j */
				double w = k >= j ? W(ways, j, k - j) : 0;

				/* or from sample 2: U unchanged, one fewer j */
				if (j)
					w += W(next, j - 1, k);
				W(next, j, k) = w;
			}
		prev = ways;
		ways = next;
		next = prev;
	}
	cur = &W(ways, n2, 0);
	for (k = 0; k <= max; k++) {
		total += cur[k];
		if (k <= u + 1e-9)
			below += cur[k];
	}
#undef W
	free(ways);
	free(next);
	return below / total;
}

int mann_whitney_u(const double *a, size_t na, const double *b, size_t nb,
		   struct mann_whitney *out)
{
	size_t n = na + nb, i, j;
	struct tagged *all;
	double rank_sum = 0, ties = 0, mu, sigma2, umin;
	int any_tie = 0;

	memset(out, 0, sizeof(*out));
	if (!na || !nb)
		return -1;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < na; i++)
		all[i] = (struct tagged){ a[i], 1 };
	for (i = 0; i < nb; i++)
		all[na + i] = (struct tagged){ b[i], 0 };
	qsort(all, n, sizeof(*all), cmp_tagged);
	/* average ranks over runs of equal values */
	for (i = 0; i < n; i = j) {
		double t, rank;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		t = j - i;
		rank = (i + 1 + j) / 2.0;
		if (t > 1) {
			any_tie = 1;
			ties += t * t * t - t;
		}
		for (size_t k = i; k < j; k++)
			if (all[k].first)
				rank_sum += rank;
	}
	free(all);
	out->u = rank_sum - na * (na + 1) / 2.0;
	umin = fmin(out->u, (double)na * nb - out->u);
	if (!any_tie && na <= 20 && nb <= 20) {
		out->exact = 1;
		out->p = fmin(1.0, 2 * exact_cdf(na, nb, umin));
		return 0;
	}
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
