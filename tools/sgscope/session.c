// SPDX-License-Identifier: GPL-2.0
/* Checks, the run loop and per-CPU map reading shared by the subcommands. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "json.h"
#include "session.h"
#include "subcommands.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int check_privileges(const char *cmd)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	bool admin, bpf, perfmon;

	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, "sgscope %s: cannot read this process's capabilities: %s\n",
			cmd, strerror(errno));
		return -1;
	}
#define HAS(cap) (!!(data[(cap) / 32].effective & (1u << ((cap) % 32))))
	admin = HAS(CAP_SYS_ADMIN);
	bpf = HAS(CAP_BPF);
	perfmon = HAS(CAP_PERFMON);
#undef HAS
	if (admin || (bpf && perfmon))
		return 0;
	fprintf(stderr,
		"sgscope %s: not enough privilege to load BPF tracing programs: run as root, "
		"or grant CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); missing:%s%s\n",
		cmd, bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON");
	return -1;
}

int session_check(const struct sgscope_opts *opts)
{
	verbose = opts->verbose;
	libbpf_set_print(libbpf_print);
	if (check_privileges(opts->command))
		return -1;
	if (opts->btf_path) {
		if (access(opts->btf_path, R_OK)) {
			fprintf(stderr, "sgscope %s: cannot read the BTF file %s: %s\n",
				opts->command, opts->btf_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr,
			"sgscope %s: this kernel exposes no BTF: /sys/kernel/btf/vmlinux is missing "
			"(a kernel built without CONFIG_DEBUG_INFO_BTF).\n"
			"Pass --btf PATH with this kernel's BTF: its vmlinux, or a .btf file "
			"(pahole --btf_encode_detached); probes then use kprobes.\n",
			opts->command);
		return -1;
	}
	return 0;
}

void session_open_opts(const struct sgscope_opts *opts,
		       struct bpf_object_open_opts *open_opts)
{
	memset(open_opts, 0, sizeof(*open_opts));
	open_opts->sz = sizeof(*open_opts);
	open_opts->btf_custom_path = opts->btf_path;
}

static volatile sig_atomic_t stop, report_now;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_now = 1;
	else
		stop = 1;
}

/*
 * SIGUSR1 asks for an interval report now; with --json a "mark" line
 * follows it, so a script that sends the signal knows when the report
 * is complete, even when it had nothing to report.
 */
static void report_on_request(const struct sgscope_opts *opts,
			      void (*report)(void *ctx, bool final, double elapsed),
			      void *ctx, double elapsed)
{
	struct json j;

	report_now = 0;
	report(ctx, false, elapsed);
	if (!opts->json)
		return;
	json_line_begin(&j, stdout);
	json_string(&j, "tool", opts->command);
	json_string(&j, "report", "mark");
	json_double(&j, "elapsed_s", elapsed);
	json_line_end(&j);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int session_run(const struct sgscope_opts *opts, struct ring_buffer *rb,
		void (*report)(void *ctx, bool final, double elapsed),
		void *ctx)
{
	double start = now_s(), next = opts->interval ? start + opts->interval : 0;
	double end = opts->duration ? start + opts->duration : 0;
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	while (!stop) {
		double t = now_s(), wake = 0.2;
		int ms, err;

		if (end && t >= end)
			break;
		if (report_now) {
			/* events still queued belong to the interval asked for */
			if (rb)
				ring_buffer__consume(rb);
			report_on_request(opts, report, ctx, t - start);
			continue;
		}
		if (next && t >= next) {
			report(ctx, false, t - start);
			next += opts->interval;
			continue;
		}
		if (next && next - t < wake)
			wake = next - t;
		if (end && end - t < wake)
			wake = end - t;
		ms = (int)(wake * 1000) + 1;
		err = rb ? ring_buffer__poll(rb, ms) : poll(NULL, 0, ms);
		if (err < 0 && err != -EINTR && errno != EINTR) {
			fprintf(stderr, "sgscope %s: polling the ring buffer: %s\n",
				opts->command, strerror(-err));
			return -1;
		}
	}
	/* what is still queued belongs in the summary */
	if (rb)
		ring_buffer__consume(rb);
	report(ctx, true, now_s() - start);
	return 0;
}

int tracer_load(const struct sgscope_opts *opts, const struct tracer *t, void *ctx,
		struct tracer_state *s)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct bpf_object_skeleton *skeleton;
	struct bpf_map *ring = NULL;

	session_open_opts(opts, &open_opts);
	if (t->open(ctx, &open_opts, &skeleton, &ring)) {
		fprintf(stderr, "sgscope %s: cannot open the BPF object (-v tells why)\n", t->name);
		return -1;
	}
	s->n = t->points(ctx, s->points);
	if (probes_choose(s->points, s->n, opts->attach))
		return -1;
	if (bpf_object__load_skeleton(skeleton)) {
		if (t->refused)
			t->refused(ctx);
		else
			fprintf(stderr, "sgscope %s: the kernel refused the BPF programs (-v shows the verifier's log)\n",
				t->name);
		return -1;
	}
	if (ring) {
		s->rb = ring_buffer__new(bpf_map__fd(ring), t->on_event, ctx, NULL);
		if (!s->rb) {
			fprintf(stderr, "sgscope %s: cannot read the %s ring buffer: %s\n", t->name,
				bpf_map__name(ring), strerror(errno));
			return -1;
		}
	}
	if (t->before_attach && t->before_attach(ctx))
		return -1;
	return probes_attach(s->points, s->n, s->links) ? -1 : 0;
}

void tracer_unload(const struct tracer *t, void *ctx, struct tracer_state *s)
{
	probes_detach(s->links, s->n);
	ring_buffer__free(s->rb);
	s->rb = NULL;
	t->close(ctx);
}

int tracer_run(const struct sgscope_opts *opts, const struct tracer *t, void *ctx)
{
	struct tracer_state s = {};
	int err = 1;

	if (session_check(opts) || (t->check && t->check(ctx)))
		return 1;
	if (!tracer_load(opts, t, ctx, &s)) {
		if (t->run) {
			err = t->run(ctx);
		} else {
			announce(opts, t->what, s.points, s.n);
			if (t->started)
				t->started(ctx);
			err = session_run(opts, s.rb, t->report, ctx) ? 1 : 0;
		}
	}
	tracer_unload(t, ctx, &s);
	return err;
}

int percpu_sum(int map_fd, const void *key, void *sum, size_t value_size,
	       void (*merge)(void *dst, const void *src))
{
	int ncpus = libbpf_num_possible_cpus(), i, err;
	size_t stride = (value_size + 7) & ~7UL;
	char *values;

	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, stride);
	if (!values)
		return -ENOMEM;
	err = bpf_map_lookup_elem(map_fd, key, values);
	if (!err) {
		memset(sum, 0, value_size);
		for (i = 0; i < ncpus; i++)
			merge(sum, values + i * stride);
	}
	free(values);
	return err;
}

static void merge_hist(void *dst, const void *src)
{
	hist_merge(dst, src);
}

static struct hist_entry *find_entry(struct hist_table *t, const void *key)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (!memcmp(t->entries[i].key, key, t->key_size))
			return &t->entries[i];
	return NULL;
}

static size_t sort_key_size;

static int compare_entries(const void *a, const void *b)
{
	return memcmp(((const struct hist_entry *)a)->key,
		      ((const struct hist_entry *)b)->key, sort_key_size);
}

int hist_table_refresh(struct hist_table *t)
{
	unsigned char key[64], next[64];
	struct hist_entry *e;
	void *prev = NULL;

	if (t->key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(t->index_fd > 0 ? t->index_fd : t->map_fd,
				     prev, next)) {
		memcpy(key, next, t->key_size);
		prev = key;
		e = find_entry(t, key);
		if (!e) {
			e = realloc(t->entries, (t->count + 1) * sizeof(*e));
			if (!e)
				return -ENOMEM;
			t->entries = e;
			e = &t->entries[t->count++];
			memset(e, 0, sizeof(*e));
			memcpy(e->key, key, t->key_size);
		}
		if (t->index_fd > 0) {
			__u32 index;

			if (bpf_map_lookup_elem(t->index_fd, key, &index) ||
			    percpu_sum(t->map_fd, &index, &e->now, sizeof(e->now), merge_hist))
				continue;
		} else if (percpu_sum(t->map_fd, key, &e->now, sizeof(e->now), merge_hist)) {
			continue;
		}
	}
	sort_key_size = t->key_size;
	qsort(t->entries, t->count, sizeof(*t->entries), compare_entries);
	return 0;
}

void hist_table_advance(struct hist_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		t->entries[i].before = t->entries[i].now;
}

void hist_table_free(struct hist_table *t)
{
	free(t->entries);
	t->entries = NULL;
	t->count = 0;
}
