// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope pagelat: latency of PCM mmap data faults and, inside them, of
 * the PCM's own .page op.
 *
 * The op is a driver's function, known by the kernel only through
 * substream->ops->page.  Up front, every function in the kernel's and the
 * loaded modules' BTF with the op's prototype gets the op probes; later,
 * the first fault of a stream names its op (new_ops) and a function not
 * probed yet gets them then: its faults before that are in the fault
 * count, not in the op count.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "json.h"
#include "probe.h"
#include "ksyms.h"
#include "session.h"
#include "subcommands.h"
#include "pagelat.skel.h"

static const char *const fault_candidates[] = {
	"snd_pcm_mmap_data_fault",
	NULL,
};

#define MAX_PAGE_OPS	32

/* One .page function and its copy of the BPF object (maps shared). */
struct op_probe {
	char name[128];
	const char *candidates[2];
	struct pagelat_bpf *skel;
	struct probe_point point;
	struct bpf_link *links[2];
};

struct pagelat {
	const struct sgscope_opts *opts;
	struct pagelat_bpf *skel;
	struct hist_table table;
	struct hist_table op_table;
	struct op_probe ops[MAX_PAGE_OPS];
	int nops;
	bool ops_full;
	int reports;
};

static struct op_probe *op_find(struct pagelat *p, const char *name)
{
	int i;

	for (i = 0; i < p->nops; i++)
		if (!strcmp(p->ops[i].name, name))
			return &p->ops[i];
	return NULL;
}

/*
 * A copy of the object with only the op programs, its maps the first
 * copy's, attached to one function.  A function that cannot be traced
 * keeps its slot (point.kind PROBE_OFF), so it is tried once.
 */
static void op_attach(struct pagelat *p, const char *name)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct op_probe *op;
	struct bpf_map *map;

	if (!name || !name[0] || op_find(p, name))
		return;
	if (p->nops == MAX_PAGE_OPS) {
		if (!p->ops_full)
			fprintf(stderr, "sgscope pagelat: more than %d .page ops; %s and later ones are not timed\n",
				MAX_PAGE_OPS, name);
		p->ops_full = true;
		return;
	}
	op = &p->ops[p->nops++];
	snprintf(op->name, sizeof(op->name), "%s", name);
	op->candidates[0] = op->name;
	op->point = (struct probe_point) {
		.what = "PCM .page op",
		.candidates = op->candidates,
		.optional = true,
	};
	session_open_opts(p->opts, &open_opts);
	op->skel = pagelat_bpf__open_opts(&open_opts);
	if (!op->skel)
		goto fail;
	bpf_object__for_each_map(map, op->skel->obj) {
		const struct bpf_map *own =
			bpf_object__find_map_by_name(p->skel->obj, bpf_map__name(map));

		if (!own || bpf_map__reuse_fd(map, bpf_map__fd(own)))
			goto fail;
	}
	bpf_program__set_autoload(op->skel->progs.fault_enter_fentry, false);
	bpf_program__set_autoload(op->skel->progs.fault_exit_fexit, false);
	bpf_program__set_autoload(op->skel->progs.fault_enter_kprobe, false);
	bpf_program__set_autoload(op->skel->progs.fault_exit_kretprobe, false);
	op->point.fentry = op->skel->progs.op_enter_fentry;
	op->point.fexit = op->skel->progs.op_exit_fexit;
	op->point.kprobe = op->skel->progs.op_enter_kprobe;
	op->point.kretprobe = op->skel->progs.op_exit_kretprobe;
	if (probes_choose(&op->point, 1, p->opts->attach) || op->point.kind == PROBE_OFF)
		goto fail;
	if (pagelat_bpf__load(op->skel) || probes_attach(&op->point, 1, op->links))
		goto fail;
	if (!p->opts->json)
		fprintf(stderr, "Timing .page op %s (%s)\n", op->name,
			probe_kind_name(op->point.kind));
	return;
fail:
	if (!p->opts->json)
		fprintf(stderr, "sgscope pagelat: .page op %s cannot be timed: no fentry or kprobe attaches there\n",
			op->name);
	op->point.kind = PROBE_OFF;
	pagelat_bpf__destroy(op->skel);
	op->skel = NULL;
}

static void op_detach_all(struct pagelat *p)
{
	int i;

	for (i = 0; i < p->nops; i++) {
		probes_detach(p->ops[i].links, 1);
		pagelat_bpf__destroy(p->ops[i].skel);
	}
	p->nops = 0;
}

/* The type behind typedefs and qualifiers. */
static const struct btf_type *btf_resolve(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static bool btf_ptr_to_struct(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf_resolve(btf, id);

	if (!t || !btf_is_ptr(t))
		return false;
	t = btf_resolve(btf, t->type);
	return t && btf_is_struct(t) &&
	       !strcmp(btf__name_by_offset(btf, t->name_off), name);
}

/*
 * struct page *(*page)(struct snd_pcm_substream *substream,
 *			unsigned long offset);
 */
static bool is_page_op(const struct btf *btf, const struct btf_type *func)
{
	const struct btf_type *proto = btf__type_by_id(btf, func->type), *off;
	const struct btf_param *args;

	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != 2)
		return false;
	args = btf_params(proto);
	off = btf_resolve(btf, args[1].type);
	return btf_ptr_to_struct(btf, proto->type, "page") &&
	       btf_ptr_to_struct(btf, args[0].type, "snd_pcm_substream") &&
	       off && btf_is_int(off) && off->size == sizeof(unsigned long) &&
	       !(btf_int_encoding(off) & BTF_INT_SIGNED);
}

static void op_found(void *ctx, const char *name)
{
	op_attach(ctx, name);
}

/* The first fault of a stream: its op, if no probe has it yet. */
static int on_new_op(void *ctx, void *data, size_t size)
{
	const struct sgscope_pcm_info *info = data;
	struct pagelat *p = ctx;

	if (size >= sizeof(*info) && !p->opts->no_op)
		op_attach(p, ksym_name(info->page_op));
	return 0;
}

static const char *page_op(struct pagelat *p, const struct sgscope_pcm_key *key)
{
	struct sgscope_pcm_info info = {};

	if (bpf_map__lookup_elem(p->skel->maps.pcm_info, key, sizeof(*key),
				 &info, sizeof(info), 0) || !info.page_op)
		return NULL;
	return ksym_name(info.page_op) ?: "unknown";
}

static const struct sgscope_hist *op_hist(struct pagelat *p, const void *key,
					  bool final, struct sgscope_hist *h)
{
	size_t i;

	for (i = 0; i < p->op_table.count; i++) {
		struct hist_entry *e = &p->op_table.entries[i];

		if (memcmp(e->key, key, p->op_table.key_size))
			continue;
		if (final)
			*h = e->now;
		else
			hist_delta(h, &e->now, &e->before);
		return h;
	}
	memset(h, 0, sizeof(*h));
	return h;
}

static const char *op_attach_kind(struct pagelat *p, const char *op)
{
	struct op_probe *probe = op ? op_find(p, op) : NULL;

	return probe ? probe_kind_name(probe->point.kind) : "off";
}

/*
 * Runs of the fault probes the kernel skipped (bpf_prog_info's
 * recursion_misses, counted for kprobes from 6.7): a BPF program, or a
 * BPF syscall of this tool, held the CPU's BPF count, which on PREEMPT_RT
 * a preempted one can.  A fault whose end probe was skipped is in no count.
 */
static __u64 fault_misses(const struct pagelat *p)
{
	struct bpf_program *progs[] = {
		p->skel->progs.fault_enter_fentry, p->skel->progs.fault_exit_fexit,
		p->skel->progs.fault_enter_kprobe, p->skel->progs.fault_exit_kretprobe,
	};
	__u64 misses = 0;
	size_t i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(progs[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			misses += info.recursion_misses;
	}
	return misses;
}

static void report(void *ctx, bool final, double elapsed)
{
	struct pagelat *p = ctx;
	const struct sgscope_opts *o = p->opts;
	const char *what = final ? "total" : "interval";
	struct sgscope_hist h, oh;
	struct json j;
	__u64 missed = fault_misses(p);
	size_t i;

	hist_table_refresh(&p->table);
	hist_table_refresh(&p->op_table);
	p->reports++;
	if (!o->json)
		printf("\n=== pagelat %s, %.1f s%s\n", what, elapsed,
		       p->table.count ? "" : ": no PCM mmap faults");
	/* all should stay 0; say so when they do not */
	if (!o->json && (p->skel->bss->unmatched || p->skel->bss->overflow || missed))
		printf("faults not timed: %llu with no start seen, %llu past 64 streams, %llu skipped\n",
		       (unsigned long long)p->skel->bss->unmatched,
		       (unsigned long long)p->skel->bss->overflow, (unsigned long long)missed);
	for (i = 0; i < p->table.count; i++) {
		struct hist_entry *e = &p->table.entries[i];
		const struct sgscope_pcm_key *key = (void *)e->key;
		const char *op = page_op(p, key);
		/* --no-op: the op is named, not timed */
		bool timed = op && !o->no_op;

		if (final)
			h = e->now;
		else
			hist_delta(&h, &e->now, &e->before);
		op_hist(p, key, final, &oh);
		if (o->json) {
			json_line_begin(&j, stdout);
			json_string(&j, "tool", "pagelat");
			json_string(&j, "report", what);
			json_double(&j, "elapsed_s", elapsed);
			json_i64(&j, "card", key->card);
			json_i64(&j, "pcm", key->pcm);
			json_string(&j, "stream", stream_name(key->stream));
			json_string(&j, "page_op", op ?: "none (ALSA's default lookup)");
			json_u64(&j, "unmatched", p->skel->bss->unmatched);
			json_u64(&j, "missed", missed);
			hist_json(&j, &h);
			if (timed) {
				json_object_begin(&j, "op");
				json_string(&j, "function", op);
				json_string(&j, "attach", op_attach_kind(p, op));
				hist_json(&j, &oh);
				json_object_end(&j);
			}
			json_line_end(&j);
			continue;
		}
		printf("card %d pcm %d %s, page op %s\n", key->card, key->pcm,
		       stream_name(key->stream), op ?: "none (ALSA's default lookup)");
		hist_print(stdout, &h, "nsecs");
		if (!timed)
			continue;
		printf(".page op %s (%s): ", op, op_attach_kind(p, op));
		hist_print(stdout, &oh, "nsecs");
	}
	hist_table_advance(&p->table);
	hist_table_advance(&p->op_table);
	fflush(stdout);
}

static int pagelat_open(void *ctx, const struct bpf_object_open_opts *open_opts,
			struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct pagelat *p = ctx;

	p->skel = pagelat_bpf__open_opts(open_opts);
	if (!p->skel)
		return -1;
	p->skel->rodata->filter_card = p->opts->card;
	p->skel->rodata->filter_pcm = p->opts->pcm;
	p->skel->rodata->filter_pid = p->opts->pid;
	/* the op programs load in the copies op_attach makes */
	bpf_program__set_autoload(p->skel->progs.op_enter_fentry, false);
	bpf_program__set_autoload(p->skel->progs.op_exit_fexit, false);
	bpf_program__set_autoload(p->skel->progs.op_enter_kprobe, false);
	bpf_program__set_autoload(p->skel->progs.op_exit_kretprobe, false);
	*skeleton = p->skel->skeleton;
	*ring = p->skel->maps.new_ops;
	return 0;
}

static int pagelat_points(void *ctx, struct probe_point *points)
{
	struct pagelat *p = ctx;

	points[0] = PROBE_POINT(p->skel, fault, "PCM mmap data fault", fault_candidates, false);
	return 1;
}

/* ops first: a fault must not end before its op's probes are there */
static int pagelat_before_attach(void *ctx)
{
	struct pagelat *p = ctx;

	if (!p->opts->no_op)
		kernel_funcs_matching(is_page_op, op_found, p);
	return 0;
}

static void pagelat_started(void *ctx)
{
	struct pagelat *p = ctx;

	p->table.map_fd = bpf_map__fd(p->skel->maps.latency);
	p->table.index_fd = bpf_map__fd(p->skel->maps.stream_index);
	p->table.key_size = sizeof(struct sgscope_pcm_key);
	p->op_table = p->table;
	p->op_table.map_fd = bpf_map__fd(p->skel->maps.op_latency);
}

static void pagelat_close(void *ctx)
{
	struct pagelat *p = ctx;

	op_detach_all(p);
	hist_table_free(&p->table);
	hist_table_free(&p->op_table);
	pagelat_bpf__destroy(p->skel);
}

static const struct tracer pagelat_tracer = {
	.name = "pagelat",
	.what = "PCM mmap data faults",
	.open = pagelat_open,
	.points = pagelat_points,
	.on_event = on_new_op,
	.before_attach = pagelat_before_attach,
	.started = pagelat_started,
	.report = report,
	.close = pagelat_close,
};

static int pagelat_run(const struct sgscope_opts *opts)
{
	struct pagelat p = { .opts = opts };

	return tracer_run(opts, &pagelat_tracer, &p);
}

const struct subcommand pagelat_command = {
	.name = "pagelat",
	.summary = "latency of PCM mmap data faults and of the PCM's .page op inside them\n"
		   "per card, pcm and stream: log2 histogram, count, mean, p50, p90, p99, max of each",
	.examples =
		"  sgscope pagelat                   trace until Ctrl-C, then print the summary\n"
		"  sgscope pagelat -c sgscope -p 2   only card 'sgscope', pcm 2\n"
		"  sgscope pagelat -i 1 -d 10        a report every second for 10 seconds\n"
		"  sgscope pagelat --json -d 5       one JSON object per pcm and stream\n"
		"  sgscope pagelat --no-op           the faults only: no probes on the .page ops\n",
	.run = pagelat_run,
	.times_ops = true,
};
