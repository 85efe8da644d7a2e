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
 * The name of a kernel text address, from /proc/kallsyms (remembered until
 * a module is loaded or unloaded), or NULL.
 */
const char *kernel_symbol(unsigned long long addr);

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
