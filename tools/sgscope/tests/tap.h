/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's unit runners' checks: "ok - RUNNER: NAME" or "not ok - ...",
 * counted, inside a block whose plan is printed at its end, the way the
 * suites report (tools/tests/ktap-plans.py).  A runner includes this once.
 */
#ifndef SGSCOPE_TESTS_TAP_H
#define SGSCOPE_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static const char *tap_runner;
static int failures, checks;

static void tap_begin(const char *runner)
{
	tap_runner = runner;
	printf("# begin: %s\n", runner);
}

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf("%s - %s: ", ok ? "ok" : "not ok", tap_runner);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The block's end and its plan; the runner's exit status. */
static int tap_end(void)
{
	printf("# %d checks, %d failed\n# end: %s\n1..%d\n", checks, failures, tap_runner,
	       checks);
	return failures ? 1 : 0;
}

#endif
