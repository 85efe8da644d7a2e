/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark run's samples.jsonl, grouped into series: one series per
 * cell and metric, the values of its iterations.
 */
#ifndef SGSCOPE_SAMPLES_H
#define SGSCOPE_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>

/* What compare's rule for a metric is (compare.c has the thresholds). */
enum metric_kind {
	METRIC_CENTRAL,		/* a typical value: medians compared */
	METRIC_TAIL,		/* p99, max and the like: a wider threshold */
	METRIC_COUNTER,		/* outcomes (fallbacks, failures, xruns): exact */
	METRIC_ALLOCATOR,	/* counts the page allocator chooses (chunks):
				 * a distribution, tested like a time */
	METRIC_PART,		/* a part of an allocation's code path (allocs'
				 * split): medians compared like central */
	METRIC_STATE,		/* what the allocator's state decided, which
				 * runs of other histories differ in: shown,
				 * never flagged */
	METRIC_KINDS
};

/* The clock a run's times are in (run.json's "clock"). */
enum run_clock {
	RUN_WALLCLOCK,	/* plain TCG or a real machine: the host's weather */
	RUN_ICOUNT,	/* QEMU icount: 2^shift guest ns per instruction */
};

struct run_info {
	enum run_clock clock;
	int shift;		/* icount only */
	char text[64];		/* "icount shift 0 (...)" or "wall clock" */
	/* the commit measured (run.json's git_sha, git_subject; "" if unknown) */
	char commit[48];
	char subject[160];
	bool dirty;		/* with changes not committed */
	/* how it ran: "quick" or "full", iterations, planted knobs */
	char level[16];
	int iterations;
	long page_delay_ns;
	char costs[256];	/* the planted costs as " --cost FUNC=INSNS" each */
};

struct series {
	char cell[128];
	char metric[64];
	char unit[16];
	bool higher_is_better;
	enum metric_kind kind;
	double *values;
	size_t count;
};

struct run_samples {
	struct series *series;
	size_t count;
};

/* One line of samples.jsonl: a flat JSON object.  0, or -1 if malformed. */
int sample_parse_line(const char *line, struct series *key, double *value);
/* Read RUN/samples.jsonl; 0, or -1 with a message on stderr. */
int samples_load(const char *run_dir, struct run_samples *out);
struct series *samples_find(struct run_samples *run, const char *cell,
			    const char *metric);
void samples_free(struct run_samples *run);
/*
 * The clock of RUN from its run.json; a run without one, or without a
 * "clock" field (recorded before icount), is in wall clock.  0, or -1 with
 * a message on stderr when run.json names a clock this build does not know.
 */
int run_info_load(const char *run_dir, struct run_info *info);
/* The "kind" field's names, indexed by enum metric_kind. */
extern const char *const metric_kind_names[METRIC_KINDS];

#endif
