/* SPDX-License-Identifier: GPL-2.0 */
/* Sample statistics for sgscope compare. */
#ifndef SGSCOPE_STATS_H
#define SGSCOPE_STATS_H

#include <stddef.h>

double stats_median(const double *v, size_t n);
/* The nearest-rank q-quantile (0 <= q <= 1) of n values; NAN if none. */
double stats_quantile(const double *v, size_t n, double q);

/*
 * y = fixed + slope * x through n points, robustly (Theil-Sen): the slope
 * is the median of the slopes between points of different x, fixed the
 * median of y - slope * x, so a few points something else landed in do
 * not move it.  -1 when no two points differ in x.
 */
int stats_line_fit(const double *x, const double *y, size_t n, double *fixed, double *slope);

struct mann_whitney {
	double u;	/* U of the first sample */
	double z;	/* normal approximation, continuity corrected; 0 if exact */
	double p;	/* two-sided */
	int exact;	/* p from the exact distribution (small, no ties) */
};

/*
 * Two-sided Mann-Whitney U test, tie corrected.  Exact when both samples
 * have at most 20 values and there are no ties, else the normal
 * approximation with continuity correction.
 */
int mann_whitney_u(const double *a, size_t na, const double *b, size_t nb,
		   struct mann_whitney *out);

#endif
