// SPDX-License-Identifier: GPL-2.0
/* The streaming JSON writer behind sgscope --json. */
#include <math.h>
#include "json.h"

void json_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The comma and key before any member or element. */
static void member(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_quote(j->f, key);
		fputc(':', j->f);
	}
}

static void open_scope(struct json *j, const char *key, char bracket)
{
	member(j, key);
	fputc(bracket, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct json *j, char bracket)
{
	fputc(bracket, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_line_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
	open_scope(j, NULL, '{');
}

void json_line_end(struct json *j)
{
	close_scope(j, '}');
	fputc('\n', j->f);
	fflush(j->f);
}

void json_object_begin(struct json *j, const char *key)
{
	open_scope(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_scope(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	open_scope(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_scope(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	member(j, key);
	if (value)
		json_quote(j->f, value);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, unsigned long long value)
{
	member(j, key);
	fprintf(j->f, "%llu", value);
}

void json_i64(struct json *j, const char *key, long long value)
{
	member(j, key);
	fprintf(j->f, "%lld", value);
}

/* JSON has no NaN or infinity: null for them */
static void number(struct json *j, const char *key, double value, bool six_digits)
{
	member(j, key);
	if (!isfinite(value))
		fputs("null", j->f);
	else if (six_digits)
		fprintf(j->f, "%.6g", value);
	else
		fprintf(j->f, "%.3f", value);
}

void json_double(struct json *j, const char *key, double value)
{
	number(j, key, value, false);
}

void json_double_g(struct json *j, const char *key, double value)
{
	number(j, key, value, true);
}

void json_bool(struct json *j, const char *key, bool value)
{
	member(j, key);
	fputs(value ? "true" : "false", j->f);
}
