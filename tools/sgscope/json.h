/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: sgscope prints one object per line, so
 * nothing is built in memory.  Keys are NULL inside arrays.
 */
#ifndef SGSCOPE_JSON_H
#define SGSCOPE_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	8

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

/* Start a top-level object on f; json_line_end() closes it and the line. */
void json_line_begin(struct json *j, FILE *f);
void json_line_end(struct json *j);

void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

void json_string(struct json *j, const char *key, const char *value);
void json_u64(struct json *j, const char *key, unsigned long long value);
void json_i64(struct json *j, const char *key, long long value);
void json_double(struct json *j, const char *key, double value);
/* The same to six significant digits (a p value of 1e-05 stays one). */
void json_double_g(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);

/* A JSON string literal, quotes and escapes included. */
void json_quote(FILE *f, const char *s);

#endif
