/* SPDX-License-Identifier: GPL-2.0 */
/* sgscope compare's decision for one series. */
#ifndef SGSCOPE_COMPARE_H
#define SGSCOPE_COMPARE_H

#include <stdbool.h>
#include "samples.h"
#include "stats.h"

struct verdict {
	double base_median, new_median;
	double change_pct;	/* of the median, signed */
	struct mann_whitney test;
	bool tested;		/* counters are compared exactly, not tested */
	bool regression;
	bool improvement;
};

/*
 * A REGRESSION: p < 0.01 and the median moved 5% or more (10% for tail
 * metrics) in the bad direction; counters: any move in the bad direction.
 */
void compare_series(const struct series *base, const struct series *new,
		    struct verdict *v);

#endif
