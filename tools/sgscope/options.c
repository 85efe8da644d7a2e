// SPDX-License-Identifier: GPL-2.0
/* Parsing the options common to all sgscope subcommands. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "options.h"

void options_usage(FILE *f, const struct subcommand *cmd)
{
	if (cmd->usage) {
		cmd->usage(f);
		return;
	}
	fprintf(f,
		"usage: sgscope %s [-i SECONDS] [-d SECONDS] [-c CARD] [-p PCM] [--pid PID]\n"
		"                %*s [--json] [-v] [--btf PATH] [--attach auto|fentry|kprobe]%s%s\n",
		cmd->name, (int)strlen(cmd->name), "", cmd->times_ops ? " [--no-op]" : "",
		cmd->own_usage ?: "");
}

static void tracing_help(const struct subcommand *cmd)
{
	printf("sgscope %s: %s\n\n", cmd->name, cmd->summary);
	options_usage(stdout, cmd);
	printf("\n"
	       "  -i, --interval SECONDS  print a report every SECONDS (default: only at the end)\n"
	       "  -d, --duration SECONDS  stop after SECONDS (default: at Ctrl-C)\n"
	       "  -c, --card CARD         only this card: its number or its id (/proc/asound/cards)\n"
	       "  -p, --pcm PCM           only this PCM device number\n"
	       "      --pid PID           only this process\n"
	       "      --json              one JSON object per line, every field of the text output\n"
	       "  -v, --verbose           show libbpf's messages and how each probe was attached\n"
	       "      --btf PATH          kernel BTF to use when /sys/kernel/btf/vmlinux is missing\n"
	       "      --attach MODE       auto (fentry/fexit, else kprobes), fentry or kprobe\n"
	       "%s%s"
	       "  -h, --help              this text\n"
	       "\nSIGUSR1 prints an interval report at once (with --json, then a \"mark\" line);\n"
	       "SIGINT and SIGTERM end the run with the summary.\n"
	       "\nexamples:\n%s",
	       cmd->times_ops ?
	       "      --no-op             time the faults only, not the .page op inside them\n"
	       "                          (no probes on the op: the fault path as without them)\n" : "",
	       cmd->own_help ?: "", cmd->examples);
}

int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out <= 0 ? -1 : 0;
}

void options_help(const struct subcommand *cmd)
{
	if (cmd->help) {
		cmd->help();
	} else if (cmd->main && !cmd->own_help) {
		printf("sgscope %s: %s\n\n", cmd->name, cmd->summary);
		options_usage(stdout, cmd);
	} else {
		tracing_help(cmd);
	}
}

int parse_count(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 0 || *out > max ? -1 : 0;
}

int usage_error(const struct subcommand *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "sgscope %s: ", cmd->name);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	options_usage(stderr, cmd);
	return 2;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

int card_lookup(const char *name)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	int card;

	if (!parse_int(name, &card)) {
		snprintf(path, sizeof(path), "/proc/asound/card%d", card);
		return access(path, F_OK) ? -1 : card;
	}
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	/* /proc/asound/<id> is a symlink to cardN */
	snprintf(path, sizeof(path), "/proc/asound/%s", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (strncmp(target, "card", 4) || parse_int(target + 4, &card))
		return -1;
	return card;
}

int card_device_name(int card, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/sound/card%d/device", card);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	snprintf(buf, len, "%s", basename(target));
	return 0;
}


/* getopt_long's tables for the groups: longs[] and the short letters */
#define SCAN_MAX_OPTIONS	40

struct scan_table {
	struct option longs[SCAN_MAX_OPTIONS + 2];
	const struct cli_option *opt[SCAN_MAX_OPTIONS];
	void *ctx[SCAN_MAX_OPTIONS];
	char shorts[2 * SCAN_MAX_OPTIONS + 8];
	int n;
};

/* getopt_long's val for option i of the table: past every char */
#define SCAN_VAL(i)	(256 + (i))

static void scan_table_build(struct scan_table *t, const struct cli_group *groups, int flags)
{
	const struct cli_option *o;
	int at;

	memset(t, 0, sizeof(*t));
	at = snprintf(t->shorts, sizeof(t->shorts), "%s:h", flags & SCAN_IN_ORDER ? "+" : "");
	for (; groups->options; groups++) {
		for (o = groups->options; o->name && t->n < SCAN_MAX_OPTIONS; o++, t->n++) {
			t->longs[t->n] = (struct option) { o->name,
				o->has_value ? required_argument : no_argument, NULL, SCAN_VAL(t->n) };
			t->opt[t->n] = o;
			t->ctx[t->n] = groups->ctx;
			if (!o->short_name)
				continue;
			t->shorts[at++] = o->short_name;
			if (o->has_value)
				t->shorts[at++] = ':';
		}
	}
	t->longs[t->n] = (struct option) { "help", no_argument, NULL, 'h' };
}

/* The option getopt_long returned c for: by its val, or its short letter. */
static int scan_index(const struct scan_table *t, int c)
{
	int i;

	if (c >= SCAN_VAL(0) && c < SCAN_VAL(t->n))
		return c - SCAN_VAL(0);
	for (i = 0; i < t->n; i++)
		if (t->opt[i]->short_name == c)
			return i;
	return -1;
}

int options_scan(const struct subcommand *cmd, const struct cli_group *groups,
		 int flags, int argc, char **argv, int *operand)
{
	struct scan_table t;
	int c, i, err;

	scan_table_build(&t, groups, flags);
	/* 0, not 1: glibc then reads the ordering ("+") of this scan afresh */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
		if (c == 'h' && scan_index(&t, c) < 0) {
			options_help(cmd);
			return OPTIONS_HELP;
		}
		if (c == ':')
			return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		i = scan_index(&t, c);
		if (c == '?' || i < 0)
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		err = t.opt[i]->set(t.ctx[i], t.opt[i], optarg);
		if (err < 0)
			return usage_error(cmd, t.opt[i]->bad, optarg);
		if (err)
			return err;
	}
	*operand = optind;
	return 0;
}

int option_set_int(void *ctx, const struct cli_option *opt, const char *value)
{
	long v;

	if (parse_count(value, opt->max, &v) || v < opt->min)
		return -1;
	*(int *)((char *)ctx + opt->number) = v;
	return 0;
}

int option_set_flag(void *ctx, const struct cli_option *opt, const char *value)
{
	*(bool *)((char *)ctx + opt->number) = true;
	return 0;
}

int option_set_string(void *ctx, const struct cli_option *opt, const char *value)
{
	*(const char **)((char *)ctx + opt->number) = value;
	return 0;
}

static int set_interval(void *ctx, const struct cli_option *opt, const char *value)
{
	return parse_seconds(value, &((struct sgscope_opts *)ctx)->interval);
}

static int set_duration(void *ctx, const struct cli_option *opt, const char *value)
{
	return parse_seconds(value, &((struct sgscope_opts *)ctx)->duration);
}

static int set_pcm(void *ctx, const struct cli_option *opt, const char *value)
{
	return parse_int(value, &((struct sgscope_opts *)ctx)->pcm);
}

static int set_pid(void *ctx, const struct cli_option *opt, const char *value)
{
	struct sgscope_opts *opts = ctx;

	return parse_int(value, &opts->pid) || !opts->pid ? -1 : 0;
}

static int set_attach(void *ctx, const struct cli_option *opt, const char *value)
{
	static const char *const modes[] = {
		[ATTACH_AUTO] = "auto", [ATTACH_FENTRY] = "fentry", [ATTACH_KPROBE] = "kprobe",
	};
	struct sgscope_opts *opts = ctx;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(value, modes[i])) {
			opts->attach = i;
			return 0;
		}
	return -1;
}

/* the card, looked up once the options are all read */
static const char *card_name;

static int set_card(void *ctx, const struct cli_option *opt, const char *value)
{
	card_name = value;
	return 0;
}

#define AT(field)	offsetof(struct sgscope_opts, field)

static const struct cli_option tracing_options[] = {
	{ "interval", 'i', true, set_interval, "bad interval '%s': want seconds > 0" },
	{ "duration", 'd', true, set_duration, "bad duration '%s': want seconds > 0" },
	{ "card", 'c', true, set_card },
	{ "pcm", 'p', true, set_pcm, "bad pcm '%s': want a device number" },
	{ "pid", 0, true, set_pid, "bad pid '%s'" },
	{ "json", 'j', false, option_set_flag, NULL, AT(json) },
	{ "verbose", 'v', false, option_set_flag, NULL, AT(verbose) },
	{ "btf", 0, true, option_set_string, NULL, AT(btf_path) },
	{ "attach", 0, true, set_attach, "bad attach mode '%s': want auto, fentry or kprobe" },
	{ NULL },
};

/* a subcommand that times .page ops takes --no-op too */
static const struct cli_option op_options[] = {
	{ "no-op", 0, false, option_set_flag, NULL, AT(no_op) },
	{ NULL },
};

#define MORE_GROUPS	4

#undef AT

int options_parse_more(int argc, char **argv, const struct subcommand *cmd,
		       struct sgscope_opts *opts, const struct cli_group *more)
{
	struct cli_group groups[MORE_GROUPS + 3] = { { tracing_options, opts } };
	int err, operand, n = 1;

	if (cmd->times_ops)
		groups[n++] = (struct cli_group) { op_options, opts };
	for (; more && more->options && n < MORE_GROUPS + 2; more++)
		groups[n++] = *more;
	memset(opts, 0, sizeof(*opts));
	opts->command = cmd->name;
	opts->card = -1;
	opts->pcm = -1;
	card_name = NULL;
	err = options_scan(cmd, groups, 0, argc, argv, &operand);
	if (err)
		return err;
	if (operand < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[operand]);
	if (card_name) {
		opts->card = card_lookup(card_name);
		if (opts->card < 0) {
			fprintf(stderr, "sgscope %s: no sound card '%s' (the cards are in /proc/asound/cards)\n",
				cmd->name, card_name);
			return 1;
		}
	}
	return 0;
}

int options_parse(int argc, char **argv, const struct subcommand *cmd,
		  struct sgscope_opts *opts)
{
	return options_parse_more(argc, argv, cmd, opts, NULL);
}
