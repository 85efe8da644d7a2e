// SPDX-License-Identifier: GPL-2.0
/* Parsing the options common to all sgscope subcommands. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "options.h"

static const struct option long_options[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "card", required_argument, NULL, 'c' },
	{ "pcm", required_argument, NULL, 'p' },
	{ "pid", required_argument, NULL, 'P' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "btf", required_argument, NULL, 'B' },
	{ "attach", required_argument, NULL, 'A' },
	{ "no-op", no_argument, NULL, 'O' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f, const struct subcommand *cmd)
{
	if (cmd->usage) {
		cmd->usage(f);
		return;
	}
	fprintf(f,
		"usage: sgscope %s [-i SECONDS] [-d SECONDS] [-c CARD] [-p PCM] [--pid PID]\n"
		"                %*s [--json] [-v] [--btf PATH] [--attach auto|fentry|kprobe]%s\n",
		cmd->name, (int)strlen(cmd->name), "", cmd->times_ops ? " [--no-op]" : "");
}

static void help(const struct subcommand *cmd)
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
	       "%s"
	       "  -h, --help              this text\n"
	       "\nSIGUSR1 prints an interval report at once (with --json, then a \"mark\" line);\n"
	       "SIGINT and SIGTERM end the run with the summary.\n"
	       "\nexamples:\n%s",
	       cmd->times_ops ?
	       "      --no-op             time the faults only, not the .page op inside them\n"
	       "                          (no probes on the op: the fault path as without them)\n" : "",
	       cmd->examples);
}

static int parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
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


int options_parse(int argc, char **argv, const struct subcommand *cmd,
		  struct sgscope_opts *opts)
{
	const char *card = NULL;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->command = cmd->name;
	opts->card = -1;
	opts->pcm = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:d:c:p:vjh", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_seconds(optarg, &opts->interval) ||
			    opts->interval == 0)
				return usage_error(cmd, "bad interval '%s': want seconds > 0", optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, &opts->duration) ||
			    opts->duration == 0)
				return usage_error(cmd, "bad duration '%s': want seconds > 0", optarg);
			break;
		case 'c':
			card = optarg;
			break;
		case 'p':
			if (parse_int(optarg, &opts->pcm))
				return usage_error(cmd, "bad pcm '%s': want a device number", optarg);
			break;
		case 'P':
			if (parse_int(optarg, &opts->pid) || !opts->pid)
				return usage_error(cmd, "bad pid '%s'", optarg);
			break;
		case 'j':
			opts->json = true;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'B':
			opts->btf_path = optarg;
			break;
		case 'A':
			if (!strcmp(optarg, "auto"))
				opts->attach = ATTACH_AUTO;
			else if (!strcmp(optarg, "fentry"))
				opts->attach = ATTACH_FENTRY;
			else if (!strcmp(optarg, "kprobe"))
				opts->attach = ATTACH_KPROBE;
			else
				return usage_error(cmd, "bad attach mode '%s': want auto, fentry or kprobe", optarg);
			break;
		case 'O':
			if (!cmd->times_ops)
				return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			opts->no_op = true;
			break;
		case 'h':
			help(cmd);
			return -1;
		case ':':
			return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (card) {
		opts->card = card_lookup(card);
		if (opts->card < 0) {
			fprintf(stderr, "sgscope %s: no sound card '%s' (the cards are in /proc/asound/cards)\n",
				cmd->name, card);
			return 1;
		}
	}
	return 0;
}
