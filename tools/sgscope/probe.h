/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Choosing how each probe attaches: for every candidate symbol in order,
 * fentry/fexit if a test program attaches there, else a kprobe if the
 * symbol can be kprobed.  Tracepoints: tp_btf if the kernel's BTF knows
 * them, else raw_tp.
 */
#ifndef SGSCOPE_PROBE_H
#define SGSCOPE_PROBE_H

#include <stdbool.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "options.h"

struct json;

enum probe_kind {
	PROBE_OFF,
	PROBE_FENTRY,
	PROBE_KPROBE,
	PROBE_TP_BTF,
	PROBE_RAW_TP,
};

/*
 * A NULL-terminated candidate list.  A compound literal lives as long as
 * its block: at file scope for the whole run.
 */
#define CANDIDATES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * The probe point of a skeleton's programs NAME_enter_fentry,
 * NAME_exit_fexit, NAME_enter_kprobe and NAME_exit_kretprobe.
 */
#define PROBE_POINT(skel, name, desc, cands, is_optional) (struct probe_point) {	\
	.what = (desc),								\
	.candidates = (cands),							\
	.optional = (is_optional),						\
	.fentry = (skel)->progs.name##_enter_fentry,				\
	.fexit = (skel)->progs.name##_exit_fexit,				\
	.kprobe = (skel)->progs.name##_enter_kprobe,				\
	.kretprobe = (skel)->progs.name##_exit_kretprobe,			\
}

struct probe_point {
	const char *what;			/* for messages */
	const char *const *candidates;		/* NULL-terminated, tried in order */
	bool tracepoint;			/* candidates are tracepoint names */
	bool optional;				/* missing: warn, do not fail */
	/* fentry + fexit, or tp_btf (exit NULL) */
	struct bpf_program *fentry, *fexit;
	/* kprobe + kretprobe, or raw_tp (exit NULL) */
	struct bpf_program *kprobe, *kretprobe;
	/* chosen */
	enum probe_kind kind;
	char target[128];
};

const char *probe_kind_name(enum probe_kind kind);

/*
 * Call found() with the name of every function in the kernel's BTF and the
 * loaded modules' that match() accepts; how many, or -ENOENT without BTF.
 */
int kernel_funcs_matching(bool (*match)(const struct btf *btf,
					 const struct btf_type *func),
			  void (*found)(void *ctx, const char *name), void *ctx);

/* Set autoload and targets before the object is loaded.  0 or -1. */
/* a function in the BTF of vmlinux or of a loaded module */
bool kernel_func_exists(const char *name);
int probes_choose(struct probe_point *points, int n, enum attach_mode mode);
/* Attach what was chosen, after load.  Links go to links[2 * n]. */
int probes_attach(struct probe_point *points, int n, struct bpf_link **links);
void probes_detach(struct bpf_link **links, int n);
/* "snd_pcm_mmap_data_fault: fentry/fexit" lines, to stderr. */
void probes_describe(const struct probe_point *points, int n, FILE *f);
void probes_json(const struct probe_point *points, int n, struct json *j);

#endif
