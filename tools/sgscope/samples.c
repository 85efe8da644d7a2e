// SPDX-License-Identifier: GPL-2.0
/* Reading a run's samples.jsonl for sgscope compare. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "samples.h"

const char *const metric_kind_names[METRIC_KINDS] = {
	[METRIC_CENTRAL] = "central",
	[METRIC_TAIL] = "tail",
	[METRIC_COUNTER] = "counter",
	[METRIC_ALLOCATOR] = "allocator",
	[METRIC_PART] = "part",
	[METRIC_STATE] = "state",
};

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* A JSON string at p into buf; returns the text after it, or NULL. */
static const char *parse_string(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			p++;
			c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			if (!*p)
				return NULL;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

int sample_parse_line(const char *line, struct series *key, double *value)
{
	const char *p = skip_ws(line);
	bool have_value = false, have_cell = false, have_metric = false;
	char name[64], text[128];

	memset(key, 0, sizeof(*key));
	if (*p++ != '{')
		return -1;
	for (;;) {
		p = skip_ws(p);
		if (*p == '}')
			break;
		p = parse_string(p, name, sizeof(name));
		if (!p)
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = skip_ws(p);
		if (*p == '"') {
			p = parse_string(p, text, sizeof(text));
			if (!p)
				return -1;
			if (!strcmp(name, "cell")) {
				snprintf(key->cell, sizeof(key->cell), "%s", text);
				have_cell = true;
			} else if (!strcmp(name, "metric")) {
				snprintf(key->metric, sizeof(key->metric), "%.63s", text);
				have_metric = true;
			} else if (!strcmp(name, "unit")) {
				snprintf(key->unit, sizeof(key->unit), "%.15s", text);
			} else if (!strcmp(name, "kind")) {
				int k;

				for (k = 0; k < METRIC_KINDS; k++)
					if (!strcmp(text, metric_kind_names[k]))
						break;
				if (k == METRIC_KINDS)
					return -1;
				key->kind = k;
			}
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			if (!strcmp(name, "higher_is_better"))
				key->higher_is_better = *p == 't';
			p += *p == 't' ? 4 : 5;
		} else if (!strncmp(p, "null", 4)) {
			p += 4;
		} else {
			char *end;
			double v;

			errno = 0;
			v = strtod(p, &end);
			if (end == p || errno)
				return -1;
			if (!strcmp(name, "value")) {
				*value = v;
				have_value = true;
			}
			p = end;
		}
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return -1;
	}
	return have_value && have_cell && have_metric ? 0 : -1;
}

struct series *samples_find(struct run_samples *run, const char *cell,
			    const char *metric)
{
	size_t i;

	for (i = 0; i < run->count; i++)
		if (!strcmp(run->series[i].cell, cell) &&
		    !strcmp(run->series[i].metric, metric))
			return &run->series[i];
	return NULL;
}

int samples_load(const char *run_dir, struct run_samples *out)
{
	char path[4096], line[1024];
	struct series key, *s;
	unsigned int lineno = 0;
	double value;
	FILE *f;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/samples.jsonl", run_dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "sgscope compare: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!*skip_ws(line))
			continue;
		if (sample_parse_line(line, &key, &value)) {
			fprintf(stderr, "sgscope compare: %s:%u: not a sample (want cell, metric, value "
				"and a kind of central, tail, counter or allocator)\n", path, lineno);
			fclose(f);
			samples_free(out);
			return -1;
		}
		s = samples_find(out, key.cell, key.metric);
		if (!s) {
			s = realloc(out->series, (out->count + 1) * sizeof(*s));
			if (!s)
				break;
			out->series = s;
			s = &out->series[out->count++];
			*s = key;
		}
		s->values = realloc(s->values, (s->count + 1) * sizeof(*s->values));
		if (!s->values)
			break;
		s->values[s->count++] = value;
	}
	fclose(f);
	return 0;
}

void samples_free(struct run_samples *run)
{
	size_t i;

	for (i = 0; i < run->count; i++)
		free(run->series[i].values);
	free(run->series);
	memset(run, 0, sizeof(*run));
}

/*
 * run.json is written by tools/bench/assemble.py with one key per line;
 * the two this needs are top-level strings and numbers, found by name.
 */
static bool json_field(const char *text, const char *name, char *buf, size_t len)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\"", name);
	p = strstr(text, key);
	if (!p)
		return false;
	p = skip_ws(p + strlen(key));
	if (*p++ != ':')
		return false;
	p = skip_ws(p);
	if (*p == '"')
		return parse_string(p, buf, len) != NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(p, ",}\n"), p);
	return true;
}

/* run.json's "planted_costs": {"FUNC": INSNS, ...} as " --cost FUNC=INSNS" each */
static void planted_costs(const char *text, char *buf, size_t len)
{
	const char *p = strstr(text, "\"planted_costs\"");
	const char *end;
	char name[128];
	size_t used = 0;

	*buf = '\0';
	p = p ? strchr(p, '{') : NULL;
	end = p ? strchr(p, '}') : NULL;
	while (p && end && (p = strchr(p + 1, '"')) && p < end) {
		p = parse_string(p, name, sizeof(name));
		if (!p)
			return;
		p = skip_ws(p);
		if (*p++ != ':')
			return;
		used += snprintf(buf + used, used < len ? len - used : 0, " --cost %s=%ld", name,
				 strtol(skip_ws(p), NULL, 10));
		p = strpbrk(p, ",}");
		if (!p || *p == '}')
			return;
	}
}

/* What run.json says of the commit and of how the run was made. */
static void run_origin(const char *text, struct run_info *info)
{
	char dirty[8], number[24];

	json_field(text, "git_sha", info->commit, sizeof(info->commit));
	json_field(text, "git_subject", info->subject, sizeof(info->subject));
	info->dirty = json_field(text, "git_dirty", dirty, sizeof(dirty)) && !strcmp(dirty, "true");
	json_field(text, "level", info->level, sizeof(info->level));
	if (json_field(text, "iterations", number, sizeof(number)))
		info->iterations = atoi(number);
	if (json_field(text, "page_delay_ns", number, sizeof(number)))
		info->page_delay_ns = strtol(number, NULL, 10);
	planted_costs(text, info->costs, sizeof(info->costs));
}

int run_info_load(const char *run_dir, struct run_info *info)
{
	char path[4096], text[16384], clock[32], shift[16];
	size_t n;
	FILE *f;

	memset(info, 0, sizeof(*info));
	info->clock = RUN_WALLCLOCK;
	snprintf(info->text, sizeof(info->text), "wall clock");
	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	f = fopen(path, "r");
	if (!f) {
		snprintf(info->text, sizeof(info->text), "wall clock (no run.json)");
		return 0;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	run_origin(text, info);
	if (!json_field(text, "clock", clock, sizeof(clock)) || !strcmp(clock, "wallclock"))
		return 0;
	if (strcmp(clock, "icount") || !json_field(text, "icount_shift", shift, sizeof(shift))) {
		fprintf(stderr, "sgscope compare: %s: clock '%s' is neither icount (with an "
			"icount_shift) nor wallclock\n", path, clock);
		return -1;
	}
	info->clock = RUN_ICOUNT;
	info->shift = atoi(shift);
	snprintf(info->text, sizeof(info->text), "icount shift %d (%d guest ns per instruction)",
		 info->shift, 1 << info->shift);
	return 0;
}
