// SPDX-License-Identifier: GPL-2.0
/* sgscope pagelat: latency of PCM mmap data faults and .page callbacks. */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "json.h"
#include "probe.h"
#include "session.h"
#include "subcommands.h"
#include "pagelat.skel.h"

static const char *const fault_candidates[] = {
	"snd_pcm_mmap_data_fault",
	NULL,
};

struct pagelat {
	const struct sgscope_opts *opts;
	struct pagelat_bpf *skel;
	struct hist_table table;
	struct probe_point *points;
	int reports;
};

static const char *page_op(struct pagelat *p, const struct sgscope_pcm_key *key)
{
	struct sgscope_pcm_info info = {};

	if (bpf_map__lookup_elem(p->skel->maps.pcm_info, key, sizeof(*key),
				 &info, sizeof(info), 0) || !info.page_op)
		return "none (ALSA's default lookup)";
	return kernel_symbol(info.page_op) ?: "unknown";
}

static void report(void *ctx, bool final, double elapsed)
{
	struct pagelat *p = ctx;
	const struct sgscope_opts *o = p->opts;
	const char *what = final ? "total" : "interval";
	struct sgscope_hist h;
	struct json j;
	size_t i;

	hist_table_refresh(&p->table);
	p->reports++;
	if (!o->json)
		printf("\n=== pagelat %s, %.1f s%s\n", what, elapsed,
		       p->table.count ? "" : ": no PCM mmap faults");
	/* both should stay 0; say so when they do not */
	if (!o->json && (p->skel->bss->unmatched || p->skel->bss->overflow))
		printf("faults not timed: %llu ended on another CPU, %llu beyond 64 streams\n",
		       (unsigned long long)p->skel->bss->unmatched,
		       (unsigned long long)p->skel->bss->overflow);
	for (i = 0; i < p->table.count; i++) {
		struct hist_entry *e = &p->table.entries[i];
		const struct sgscope_pcm_key *key = (void *)e->key;

		if (final)
			h = e->now;
		else
			hist_delta(&h, &e->now, &e->before);
		if (o->json) {
			json_line_begin(&j, stdout);
			json_string(&j, "tool", "pagelat");
			json_string(&j, "report", what);
			json_double(&j, "elapsed_s", elapsed);
			json_i64(&j, "card", key->card);
			json_i64(&j, "pcm", key->pcm);
			json_string(&j, "stream", stream_name(key->stream));
			json_string(&j, "page_op", page_op(p, key));
			json_u64(&j, "unmatched", p->skel->bss->unmatched);
			hist_json(&j, &h);
			json_line_end(&j);
			continue;
		}
		printf("card %d pcm %d %s, page op %s\n", key->card, key->pcm,
		       stream_name(key->stream), page_op(p, key));
		hist_print(stdout, &h, "nsecs");
	}
	hist_table_advance(&p->table);
	fflush(stdout);
}

static int pagelat_run(const struct sgscope_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct probe_point points[1] = {};
	struct bpf_link *links[2] = {};
	struct pagelat p = { .opts = opts, .points = points };
	int err = 1;

	if (session_check(opts))
		return 1;
	session_open_opts(opts, &open_opts);
	p.skel = pagelat_bpf__open_opts(&open_opts);
	if (!p.skel) {
		fprintf(stderr, "sgscope pagelat: cannot open the BPF object (-v tells why)\n");
		return 1;
	}
	p.skel->rodata->filter_card = opts->card;
	p.skel->rodata->filter_pcm = opts->pcm;
	p.skel->rodata->filter_pid = opts->pid;
	points[0] = (struct probe_point) {
		.what = "PCM mmap data fault",
		.candidates = fault_candidates,
		.fentry = p.skel->progs.fault_entry_fentry,
		.fexit = p.skel->progs.fault_exit_fexit,
		.kprobe = p.skel->progs.fault_entry_kprobe,
		.kretprobe = p.skel->progs.fault_exit_kretprobe,
	};
	if (probes_choose(points, 1, opts->attach))
		goto out;
	if (pagelat_bpf__load(p.skel)) {
		fprintf(stderr, "sgscope pagelat: the kernel refused the BPF programs (-v shows the verifier's log)\n");
		goto out;
	}
	if (probes_attach(points, 1, links))
		goto out;
	p.table.map_fd = bpf_map__fd(p.skel->maps.latency);
	p.table.index_fd = bpf_map__fd(p.skel->maps.stream_index);
	p.table.key_size = sizeof(struct sgscope_pcm_key);
	announce(opts, "PCM mmap data faults", points, 1);
	err = session_run(opts, NULL, report, &p) ? 1 : 0;
out:
	probes_detach(links, 1);
	hist_table_free(&p.table);
	pagelat_bpf__destroy(p.skel);
	return err;
}

const struct subcommand pagelat_command = {
	.name = "pagelat",
	.summary = "latency of PCM mmap data faults (the driver's .page callback)\n"
		   "per card, pcm and stream: log2 histogram, count, mean, p50, p90, p99, max",
	.examples =
		"  sgscope pagelat                   trace until Ctrl-C, then print the summary\n"
		"  sgscope pagelat -c sgscope -p 2   only card 'sgscope', pcm 2\n"
		"  sgscope pagelat -i 1 -d 10        a report every second for 10 seconds\n"
		"  sgscope pagelat --json -d 5       one JSON object per pcm and stream\n",
	.run = pagelat_run,
};
