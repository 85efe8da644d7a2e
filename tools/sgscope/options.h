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
	/* a subcommand with options of its own parses argv itself */
	int (*main)(int argc, char **argv);
	/* ... and has its own usage lines */
	void (*usage)(FILE *f);
};

/*
 * Parse argv (argv[0] is the subcommand).  Returns 0 to go on, 2 after
 * printing usage for a bad flag, 1 after an error message, -1 after
 * printing --help.
 */
int options_parse(int argc, char **argv, const struct subcommand *cmd,
		  struct sgscope_opts *opts);
/* The subcommand's usage lines: its own, or the tracing options'. */
void options_usage(FILE *f, const struct subcommand *cmd);

/*
 * Every subcommand's usage error: "sgscope CMD: " and the message (fmt
 * with one %s) on stderr, then its usage.  Returns 2, the exit status of
 * a usage error.
 */
int usage_error(const struct subcommand *cmd, const char *fmt, const char *arg);
/* A whole decimal number from 0 to max into out, or -1. */
int parse_count(const char *s, long max, long *out);

/* "0" or "sgscope" -> the card number, -1 if no such card. */
int card_lookup(const char *name);
/* The card's bus device name (e.g. 0000:00:04.0) into buf, or -1. */
int card_device_name(int card, char *buf, size_t len);

#endif
