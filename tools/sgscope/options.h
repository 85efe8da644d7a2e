/* SPDX-License-Identifier: GPL-2.0 */
/* The options every sgscope subcommand takes. */
#ifndef SGSCOPE_OPTIONS_H
#define SGSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum attach_mode {
	ATTACH_AUTO,	/* fentry/fexit where the kernel allows, else kprobes */
	ATTACH_FENTRY,
	ATTACH_KPROBE,
};

struct sgscope_opts {
	const char *command;
	double interval;	/* seconds between reports, 0: only at the end */
	double duration;	/* seconds to run, 0: until Ctrl-C */
	int card;		/* -1: any */
	int pcm;		/* -1: any */
	int pid;		/* 0: any */
	bool json;
	bool verbose;
	const char *btf_path;
	enum attach_mode attach;
	bool no_op;		/* pagelat: no probes on the .page op */
};

struct subcommand {
	const char *name;
	const char *summary;
	const char *examples;
	int (*run)(const struct sgscope_opts *opts);
	/* it times .page ops: --no-op is one of its options */
	bool times_ops;
	/*
	 * a subcommand with options of its own runs from argv itself (its
	 * exit status, or OPTIONS_HELP after --help), parsing them with
	 * options_scan ...
	 */
	int (*main)(int argc, char **argv);
	/* ... and has its own usage lines */
	void (*usage)(FILE *f);
	/* ... and --help text, on stdout (NULL: the tracing options') */
	void (*help)(void);
	/*
	 * a tracing subcommand's options of its own, after the tracing
	 * options in its usage line and its --help (it parses them with
	 * options_parse_more from its main)
	 */
	const char *own_usage;
	const char *own_help;
};

/* What options_parse and options_scan return after printing --help. */
#define OPTIONS_HELP	(-1)

/*
 * One option of a subcommand, in a table ended by a NULL name: --NAME (and
 * -SHORT), with a value or not.  set() takes it into ctx: 0, -1 for a bad
 * value (then "bad" with the value for %s is the usage error), or the exit
 * status after a message of its own.  number: for set(), e.g. a mode or
 * where in ctx the value goes; min and max: a number value's range.
 */
struct cli_option {
	const char *name;
	int short_name;
	bool has_value;
	int (*set)(void *ctx, const struct cli_option *opt, const char *value);
	const char *bad;
	int number;
	long min, max;
};

/* set()s: a whole number from min to max, into the int at ctx + number; */
int option_set_int(void *ctx, const struct cli_option *opt, const char *value);
/* true, into the bool at ctx + number; */
int option_set_flag(void *ctx, const struct cli_option *opt, const char *value);
/* the value as it is, into the const char * at ctx + number. */
int option_set_string(void *ctx, const struct cli_option *opt, const char *value);

/* Tables of options and what their set() fills; ended by NULL options. */
struct cli_group {
	const struct cli_option *options;
	void *ctx;
};

enum {
	/* options end at the first operand: a command and its own options follow */
	SCAN_IN_ORDER = 1,
};

/*
 * The one option parser: argv (argv[0] is the subcommand) through
 * getopt_long with the groups' options and -h/--help.  Returns 0 with
 * *operand the index of the first operand, OPTIONS_HELP after printing
 * the subcommand's help on stdout, 2 after a usage error on stderr (an
 * unknown option, a missing or bad value), or what a set() returned.
 */
int options_scan(const struct subcommand *cmd, const struct cli_group *groups,
		 int flags, int argc, char **argv, int *operand);

/*
 * The tracing options (a tracing subcommand's whole command line): no
 * operands.  Returns 0 to go on, 2 after printing usage for a bad flag,
 * 1 after an error message, OPTIONS_HELP after printing --help.
 */
int options_parse(int argc, char **argv, const struct subcommand *cmd,
		  struct sgscope_opts *opts);
/*
 * The same with options of the subcommand's own besides (more: groups
 * ended by NULL options, each with what its set() fills), for a tracing
 * subcommand that runs from its own main.
 */
int options_parse_more(int argc, char **argv, const struct subcommand *cmd,
		       struct sgscope_opts *opts, const struct cli_group *more);
/* The subcommand's usage lines: its own, or the tracing options'. */
void options_usage(FILE *f, const struct subcommand *cmd);
/* The subcommand's --help on stdout: its own, or the tracing options'. */
void options_help(const struct subcommand *cmd);

/*
 * Every subcommand's usage error: "sgscope CMD: " and the message (fmt
 * with one %s) on stderr, then its usage.  Returns 2, the exit status of
 * a usage error.
 */
int usage_error(const struct subcommand *cmd, const char *fmt, const char *arg);
/* A whole decimal number from 0 to max into out, or -1. */
int parse_count(const char *s, long max, long *out);
/* Seconds, a decimal number > 0, into out, or -1. */
int parse_seconds(const char *s, double *out);

/* "0" or "sgscope" -> the card number, -1 if no such card. */
int card_lookup(const char *name);
/* The card's bus device name (e.g. 0000:00:04.0) into buf, or -1. */
int card_device_name(int card, char *buf, size_t len);

#endif
