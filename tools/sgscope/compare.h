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

/* How a metric kind is judged in one clock, and why. */
struct compare_rule {
	bool exact;		/* any move in the bad direction */
	double pct;		/* else: p < P_LIMIT and the median this far worse */
	const char *why;
};

const struct compare_rule *compare_rule(enum run_clock clock, enum metric_kind kind);

/*
 * A REGRESSION: p < 0.01 and the median moved at least the rule's
 * threshold for the metric's kind and the runs' clock in the bad
 * direction; exact counters: any move in the bad direction.
 */
void compare_series(const struct series *base, const struct series *new,
		    enum run_clock clock, struct verdict *v);

#endif
