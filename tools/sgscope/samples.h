/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark run's samples.jsonl, grouped into series: one series per
 * cell and metric, the values of its iterations.
 */
#ifndef SGSCOPE_SAMPLES_H
#define SGSCOPE_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>

enum metric_kind {
	METRIC_CENTRAL,	/* a typical value: medians compared, 5% threshold */
	METRIC_TAIL,	/* p99, max and the like: 10% threshold */
	METRIC_COUNTER,	/* fallbacks, chunks, xruns: compared exactly */
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

#endif
