// SPDX-License-Identifier: GPL-2.0
/* Probing the running kernel for the cheapest way to attach each probe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include "json.h"
#include "probe.h"

const char *probe_kind_name(enum probe_kind kind)
{
	switch (kind) {
	case PROBE_FENTRY:
		return "fentry";
	case PROBE_KPROBE:
		return "kprobe";
	case PROBE_TP_BTF:
		return "tp_btf";
	case PROBE_RAW_TP:
		return "raw_tp";
	default:
		return "off";
	}
}

static struct btf *vmlinux_btf;
static bool vmlinux_btf_tried;

static struct btf *kernel_btf(void)
{
	if (!vmlinux_btf_tried) {
		vmlinux_btf_tried = true;
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf)
			vmlinux_btf = NULL;
	}
	return vmlinux_btf;
}

/*
 * The next loaded module's BTF after *id (0: from the first), split on
 * vmlinux's, with *fd its BTF object for the caller to close; NULL after
 * the last.
 */
static struct btf *next_module_btf(struct btf *base, __u32 *id, int *fd)
{
	while (!bpf_btf_get_next_id(*id, id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char module[64] = "";
		struct btf *btf;

		*fd = bpf_btf_get_fd_by_id(*id);
		if (*fd < 0)
			continue;
		info.name = (unsigned long)module;
		info.name_len = sizeof(module);
		if (!bpf_obj_get_info_by_fd(*fd, &info, &len) && info.kernel_btf &&
		    strcmp(module, "vmlinux")) {
			btf = btf__load_from_kernel_by_id_split(*id, base);
			if (btf)
				return btf;
		}
		close(*fd);
	}
	return NULL;
}

/*
 * Find a function in the kernel's BTF or a module's.  *obj_fd is 0 for
 * vmlinux, else an fd of the module's BTF object the caller closes.
 */
static int find_kernel_func(const char *name, int *btf_id, int *obj_fd)
{
	struct btf *base = kernel_btf(), *btf;
	__u32 id = 0;
	int fd;

	*obj_fd = 0;
	if (!base)
		return -ENOENT;
	*btf_id = btf__find_by_name_kind(base, name, BTF_KIND_FUNC);
	if (*btf_id > 0)
		return 0;
	while ((btf = next_module_btf(base, &id, &fd))) {
		*btf_id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
		btf__free(btf);
		if (*btf_id > 0) {
			*obj_fd = fd;
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

/* The functions of types first..last of btf that match(); how many. */
static int funcs_matching(const struct btf *btf, __u32 first,
			  bool (*match)(const struct btf *btf,
					const struct btf_type *func),
			  void (*found)(void *ctx, const char *name), void *ctx)
{
	__u32 i, types = btf__type_cnt(btf);
	int n = 0;

	for (i = first; i < types; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);

		if (btf_is_func(t) && match(btf, t)) {
			found(ctx, btf__name_by_offset(btf, t->name_off));
			n++;
		}
	}
	return n;
}

int kernel_funcs_matching(bool (*match)(const struct btf *btf,
					 const struct btf_type *func),
			  void (*found)(void *ctx, const char *name), void *ctx)
{
	struct btf *base = kernel_btf(), *btf;
	__u32 id = 0;
	int n, fd;

	if (!base)
		return -ENOENT;
	n = funcs_matching(base, 1, match, found, ctx);
	/* a module's split BTF numbers its types after vmlinux's */
	while ((btf = next_module_btf(base, &id, &fd))) {
		close(fd);
		n += funcs_matching(btf, btf__type_cnt(base), match, found, ctx);
		btf__free(btf);
	}
	return n;
}

/* Load and attach a do-nothing fentry program: the only sure test. */
static int fentry_works(const char *name, char *why, size_t len)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int btf_id, obj_fd, prog, link, err;

	if (find_kernel_func(name, &btf_id, &obj_fd)) {
		snprintf(why, len, "fentry: not in the kernel's BTF");
		return 0;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id,
		    .attach_btf_obj_fd = obj_fd);
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "sgscope_try", "GPL",
			     insns, 2, &opts);
	err = errno;
	if (obj_fd > 0)
		close(obj_fd);
	if (prog < 0) {
		snprintf(why, len, "fentry: test program refused: %s", strerror(err));
		return 0;
	}
	link = bpf_raw_tracepoint_open(NULL, prog);
	err = errno;
	close(prog);
	if (link < 0) {
		snprintf(why, len, "fentry: cannot attach: %s", strerror(err));
		return 0;
	}
	close(link);
	return 1;
}

/*
 * The kernel's list of functions it can trace; a symbol missing there was
 * inlined away or is notrace.  Compiler clones (name.isra.0,
 * name.constprop.0) count as the function.
 */
static char *traceable;

static const char *const traceable_files[] = {
	"/sys/kernel/tracing/available_filter_functions",
	"/sys/kernel/debug/tracing/available_filter_functions",
	NULL,
};

static int load_traceable(void)
{
	size_t cap = 0, used = 0, n;
	char buf[65536];
	FILE *f = NULL;
	int i;

	if (traceable)
		return 0;
	for (i = 0; traceable_files[i] && !f; i++)
		f = fopen(traceable_files[i], "r");
	if (!f)
		return -1;
	/* one "\nname" per line, so a lookup is one strstr */
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (used + n + 2 > cap) {
			cap = (used + n + 2) * 2;
			traceable = realloc(traceable, cap);
			if (!traceable)
				break;
		}
		if (!used)
			traceable[used++] = '\n';
		memcpy(traceable + used, buf, n);
		used += n;
		traceable[used] = '\0';
	}
	fclose(f);
	return traceable ? 0 : -1;
}

static int kprobe_target(const char *name, char *target, size_t tlen,
			 char *why, size_t len)
{
	size_t nlen = strlen(name);
	const char *p;

	if (load_traceable()) {
		snprintf(why, len, "kprobe: cannot read available_filter_functions (is tracefs mounted?)");
		return 0;
	}
	for (p = traceable; (p = strstr(p, "\n")) && p[1]; p++) {
		const char *s = p + 1;
		size_t l;

		if (strncmp(s, name, nlen) || (s[nlen] != '\n' && s[nlen] != ' ' &&
						s[nlen] != '.'))
			continue;
		l = strcspn(s, " \n");
		snprintf(target, tlen, "%.*s", (int)l, s);
		return 1;
	}
	snprintf(why, len, "kprobe: not in available_filter_functions (inlined or notrace)");
	return 0;
}

bool kernel_func_exists(const char *name)
{
	int btf_id, obj_fd;

	if (find_kernel_func(name, &btf_id, &obj_fd))
		return false;
	if (obj_fd > 0)
		close(obj_fd);
	return true;
}

static bool tracepoint_in_btf(const char *name)
{
	char type[160];

	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return kernel_btf() &&
	       btf__find_by_name_kind(kernel_btf(), type, BTF_KIND_TYPEDEF) > 0;
}

static bool tracepoint_exists(const char *name)
{
	char path[256];
	const char *roots[] = { "/sys/kernel/tracing/events",
				"/sys/kernel/debug/tracing/events", NULL };
	int i;

	for (i = 0; roots[i]; i++) {
		const char *group = strchr(name, '/');

		snprintf(path, sizeof(path), "%s/%s", roots[i], name);
		if (group && !access(path, F_OK))
			return true;
	}
	return false;
}

static void set_loaded(struct probe_point *p, bool fentry, bool kprobe)
{
	bpf_program__set_autoload(p->fentry, fentry);
	if (p->fexit)
		bpf_program__set_autoload(p->fexit, fentry);
	bpf_program__set_autoload(p->kprobe, kprobe);
	if (p->kretprobe)
		bpf_program__set_autoload(p->kretprobe, kprobe);
}

static int choose_tracepoint(struct probe_point *p, enum attach_mode mode)
{
	/* candidates are "group/event"; BTF knows the event by its name */
	const char *name = p->candidates[0], *event = strchr(name, '/');

	event = event ? event + 1 : name;
	snprintf(p->target, sizeof(p->target), "%s", name);
	if (!tracepoint_exists(name)) {
		p->kind = PROBE_OFF;
		set_loaded(p, false, false);
		if (p->optional)
			return 0;
		fprintf(stderr, "sgscope: tracepoint %s does not exist in this kernel\n", name);
		return -1;
	}
	p->kind = mode != ATTACH_KPROBE && tracepoint_in_btf(event) ?
		  PROBE_TP_BTF : PROBE_RAW_TP;
	set_loaded(p, p->kind == PROBE_TP_BTF, p->kind == PROBE_RAW_TP);
	return 0;
}

static int choose_function(struct probe_point *p, enum attach_mode mode)
{
	char why[1024] = "", one[256];
	const char *const *c;
	int err;

	for (c = p->candidates; *c; c++) {
		size_t used = strlen(why);

		if (mode != ATTACH_KPROBE) {
			if (fentry_works(*c, one, sizeof(one))) {
				snprintf(p->target, sizeof(p->target), "%s", *c);
				p->kind = PROBE_FENTRY;
				set_loaded(p, true, false);
				err = bpf_program__set_attach_target(p->fentry, 0, *c);
				if (!err && p->fexit)
					err = bpf_program__set_attach_target(p->fexit, 0, *c);
				return err;
			}
			used += snprintf(why + used, sizeof(why) - used,
					 "\n  %s: %s", *c, one);
		}
		if (mode != ATTACH_FENTRY && used < sizeof(why)) {
			if (kprobe_target(*c, p->target, sizeof(p->target),
					  one, sizeof(one))) {
				p->kind = PROBE_KPROBE;
				set_loaded(p, false, true);
				return 0;
			}
			snprintf(why + used, sizeof(why) - used, "\n  %s: %s",
				 *c, one);
		}
	}
	p->kind = PROBE_OFF;
	set_loaded(p, false, false);
	if (p->optional)
		return 0;
	fprintf(stderr, "sgscope: cannot trace %s; tried:%s\n", p->what, why);
	return -1;
}

int probes_choose(struct probe_point *points, int n, enum attach_mode mode)
{
	int i;

	for (i = 0; i < n; i++) {
		int err = points[i].tracepoint ?
			  choose_tracepoint(&points[i], mode) :
			  choose_function(&points[i], mode);

		if (err)
			return -1;
	}
	return 0;
}

static struct bpf_link *attach_one(struct bpf_program *prog,
				   const struct probe_point *p, bool ret)
{
	if (p->kind == PROBE_KPROBE)
		return bpf_program__attach_kprobe(prog, ret, p->target);
	return bpf_program__attach(prog);
}

int probes_attach(struct probe_point *points, int n, struct bpf_link **links)
{
	int i;

	for (i = 0; i < n; i++) {
		struct probe_point *p = &points[i];
		bool fentry = p->kind == PROBE_FENTRY || p->kind == PROBE_TP_BTF;
		struct bpf_program *entry = fentry ? p->fentry : p->kprobe;
		struct bpf_program *exit = fentry ? p->fexit : p->kretprobe;

		links[2 * i] = links[2 * i + 1] = NULL;
		if (p->kind == PROBE_OFF)
			continue;
		links[2 * i] = attach_one(entry, p, false);
		if (!links[2 * i])
			goto fail;
		if (!exit)
			continue;
		links[2 * i + 1] = attach_one(exit, p, true);
		if (!links[2 * i + 1])
			goto fail;
		continue;
fail:
		fprintf(stderr, "sgscope: cannot attach %s to %s (%s): %s\n",
			probe_kind_name(p->kind), p->target, p->what,
			strerror(errno));
		return -1;
	}
	return 0;
}

void probes_detach(struct bpf_link **links, int n)
{
	int i;

	for (i = 0; i < 2 * n; i++)
		bpf_link__destroy(links[i]);
}

void probes_describe(const struct probe_point *points, int n, FILE *f)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(f, "sgscope: probe %-28s %s %s\n", points[i].what,
			probe_kind_name(points[i].kind),
			points[i].kind == PROBE_OFF ? "(not available)" : points[i].target);
}

void probes_json(const struct probe_point *points, int n, struct json *j)
{
	int i;

	json_array_begin(j, "probes");
	for (i = 0; i < n; i++) {
		json_object_begin(j, NULL);
		json_string(j, "what", points[i].what);
		json_string(j, "attach", probe_kind_name(points[i].kind));
		json_string(j, "target", points[i].target);
		json_object_end(j);
	}
	json_array_end(j);
}
