/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every subcommand does around its BPF object: check privileges and
 * BTF, quiet libbpf, run until Ctrl-C or -d with a report every -i, and
 * read ever-growing per-CPU histograms into interval deltas.
 */
#ifndef SGSCOPE_SESSION_H
#define SGSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "options.h"
#include "probe.h"

/* Privileges and BTF; a message naming what is missing and -1 if not. */
int session_check(const struct sgscope_opts *opts);
/* Open options for a skeleton: --btf becomes libbpf's btf_custom_path. */
void session_open_opts(const struct sgscope_opts *opts,
		       struct bpf_object_open_opts *open_opts);

/*
 * Poll rb (may be NULL) and call report(ctx, final) every interval and
 * once at the end (duration over, Ctrl-C or SIGTERM).
 */
int session_run(const struct sgscope_opts *opts, struct ring_buffer *rb,
		void (*report)(void *ctx, bool final, double elapsed),
		void *ctx);

/*
 * A tracing subcommand: what it supplies to tracer_run, which does the
 * rest (privileges and BTF, open, probe choice, load, ring buffer, attach,
 * announce, run, and the teardown in reverse, whatever failed).  ctx is
 * the subcommand's own state, its skeleton in it.
 */
struct tracer {
	const char *name;	/* the subcommand, for messages */
	const char *what;	/* "Tracing <what>..." */
	/*
	 * after privileges and BTF, before open: what else the subcommand
	 * needs of the kernel (NULL: nothing); 0, or -1 after a message
	 */
	int (*check)(void *ctx);
	/*
	 * open the skeleton and set its read-only data; give its generic
	 * part (to load it) and the ring buffer map the events arrive
	 * through (NULL: it has none); 0 or -1
	 */
	int (*open)(void *ctx, const struct bpf_object_open_opts *open_opts,
		    struct bpf_object_skeleton **skeleton, struct bpf_map **ring);
	/* the probe points of the open skeleton, TRACER_MAX_POINTS at most; how many */
	int (*points)(void *ctx, struct probe_point *points);
	ring_buffer_sample_fn on_event;
	/*
	 * the kernel refused the programs: say so, and why it may have
	 * (NULL: a line saying -v shows the verifier's log)
	 */
	void (*refused)(void *ctx);
	/* after load, before the points attach (NULL: nothing); 0 or -1 */
	int (*before_attach)(void *ctx);
	/* once attached and announced (NULL: nothing) */
	void (*started)(void *ctx);
	void (*report)(void *ctx, bool final, double elapsed);
	/*
	 * once attached, instead of the announce, started() and the report
	 * loop: the whole run, its exit status (NULL: the report loop)
	 */
	int (*run)(void *ctx);
	/* free the subcommand's state and destroy its skeleton */
	void (*close)(void *ctx);
};

#define TRACER_MAX_POINTS	48

/* Run a tracing subcommand; its exit status. */
int tracer_run(const struct sgscope_opts *opts, const struct tracer *t, void *ctx);

/* What tracer_load attached, for tracer_unload. */
struct tracer_state {
	struct probe_point points[TRACER_MAX_POINTS];
	struct bpf_link *links[2 * TRACER_MAX_POINTS];
	struct ring_buffer *rb;
	int n;
};

/*
 * tracer_run's steps from open to attach, for a subcommand that loads
 * more than one object (s zeroed first): 0, or -1 after a message.
 * tracer_unload detaches and closes, whatever tracer_load did.
 */
int tracer_load(const struct sgscope_opts *opts, const struct tracer *t, void *ctx,
		struct tracer_state *s);
void tracer_unload(const struct tracer *t, void *ctx, struct tracer_state *s);

/* Sum of a per-CPU value: value_size bytes of __u64 counters per CPU. */
int percpu_sum(int map_fd, const void *key, void *sum, size_t value_size,
	       void (*merge)(void *dst, const void *src));

/* Histograms of a per-CPU hash map, with what they were at the last report. */
struct hist_entry {
	unsigned char key[64];
	struct sgscope_hist now;
	struct sgscope_hist before;
};

struct hist_table {
	int map_fd;
	/* if set: a hash of key -> index into map_fd, a per-CPU array */
	int index_fd;
	size_t key_size;
	struct hist_entry *entries;
	size_t count;
};

/* Read every key's current histogram; entries end up sorted by key. */
int hist_table_refresh(struct hist_table *t);
/* After a report: the next interval starts from now. */
void hist_table_advance(struct hist_table *t);
void hist_table_free(struct hist_table *t);

#endif
