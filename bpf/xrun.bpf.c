// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xrun: a timeline of each running PCM stream's last events - its period
 * interrupts, hardware and application pointer moves, and its client's
 * reads, writes, polls, scheduling, page faults and allocation stalls -
 * whose part the window needs goes to the CLI at every xrun and every
 * near miss, where the CLI splits the missed deadline into its causes.
 *
 * Everything here is on functions every kernel has with BTF, whether the
 * sound core is built in or a module: the snd_pcm trace events exist only
 * with CONFIG_SND_PCM_XRUN_DEBUG, which distribution kernels leave off.
 *
 * A stream's ring is written by whatever CPU sees its event: the slot is
 * claimed with an atomic add, so two CPUs never write one slot, and the
 * CLI orders the events by time.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MAX_STREAMS	64
#define MAX_CLIENTS	1024

/*
 * A task switched out in state TASK_RUNNING (0, include/linux/sched.h, a
 * #define the BTF cannot carry) stays runnable: it was preempted or
 * yielded, it did not sleep.
 */
#define TASK_RUNNING_STATE	0

/* near misses: headroom under this percentage of the buffer; 0: off */
const volatile __u32 near_percent;

struct xstream {
	struct sgscope_xrun_report r;
	__u64 substream;	/* whose slot this is, 0: a free slot */
	__u64 hw_ptr;		/* where the last event saw it */
	__u64 last_irq;		/* the last period's hard interrupt */
	__u64 period_ns;	/* the running shape's period, 0: not known yet */
	__u32 wanted;
	__u32 idx;		/* the slot's own index */
	__u32 number;		/* the substream's number in its PCM */
	__u32 headroom;		/* its name's slot in headroom */
};

/*
 * The streams' timelines, by substream: an open-addressed table in an
 * array, as nearly every program looks its stream up, and an array slot
 * costs a few instructions where a hash lookup costs tens.  A substream's
 * slots are the STREAM_PROBES from its name's hash on (stream_hash).
 */
#define STREAM_PROBES	8
#if MAX_STREAMS & (MAX_STREAMS - 1)
#error "MAX_STREAMS is a power of two: slots wrap with a mask"
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct xstream);
} streams SEC(".maps");

/*
 * A client and its substream in its slot (tid % MAX_CLIENTS), tid 0: no
 * client was ever there.  At a context switch most tasks are no client:
 * an empty slot says so for an array load, and a client's own slot names
 * its substream, also without a hash lookup.  Only a slot another client
 * took sends the lookup on to the hash.
 */
struct client_slot {
	__u32 tid;
	__u32 stream;		/* the slot of the substream's timeline */
	__u64 substream;
};

/* client tid -> its slot's contents, for a client whose slot another took */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CLIENTS);
	__type(key, __u32);
	__type(value, struct client_slot);
} clients SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_CLIENTS);
	__type(key, __u32);
	__type(value, struct client_slot);
} client_slots SEC(".maps");

/*
 * per client task inside a poll of a traced stream: that stream's
 * substream, so that the poll's return is told to the stream polled
 * (a kretprobe has no arguments to say which)
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CLIENTS);
	__type(key, __u32);
	__type(value, __u64);
} polling SEC(".maps");

/*
 * Threaded handlers (every handler on PREEMPT_RT, forced into a thread):
 * the hard interrupt only wakes the handler's thread, which runs the
 * driver's handler later.  Its handler's time starts at that hard
 * interrupt, and the thread's wake-up is a part of it.  Per irq: the hard
 * interrupt that woke the thread, until the thread runs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} woken_irqs SEC(".maps");

/*
 * per handler thread running its handler: the irq, hard interrupt, start,
 * and its time off the CPU since (a thread can be preempted or wait for a
 * lock: on PREEMPT_RT neither is the handler's own work)
 */
struct irq_thread {
	__u64 hardirq_ts;
	__u64 start_ts;
	__u64 off_ts;		/* switched out at, 0 while it runs */
	__u64 off_ns;
	__u32 irq;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct irq_thread);
} irq_threads SEC(".maps");

/* per CPU: the interrupt handler running, and the task on the CPU */
struct cpu_state {
	__u64 irq_ts;
	__u32 irq;
	__u32 in_irq;
	__u32 curr_tid;
	/* its name is read only when a client wakes, not at every switch */
	struct task_struct *curr;
	/* the period elapsed call running, for its kretprobe */
	struct snd_pcm_substream *period_substream;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpus SEC(".maps");

/*
 * Headroom when the client moved appl_ptr, ns, per stream name: in an
 * array at the index headroom_index gives the name, so that the program
 * that runs at every appl_ptr move looks up no hash.  A name keeps its
 * index: substreams of one name (and the same substream bound again)
 * share its histogram.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_STREAMS);
	__type(key, struct sgscope_pcm_key);
	__type(value, __u32);
} headroom_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct sgscope_hist);
} headroom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/*
	 * Room for 64 reports: each reserves a whole ring's room, whatever
	 * part of it the window fills
	 */
	__uint(max_entries, 64 * 64 * 1024);
} reports SEC(".maps");

/* an xrun or near miss the ring buffer had no room for */
__u64 lost;
/* more streams than MAX_STREAMS */
__u64 overflow;

/*
 * A substream's first slot: a hash of what names it (card, device,
 * direction, number), read through its pointer; the pointer itself is
 * no number a program with BTF may shift.
 */
static __always_inline __u32 stream_hash(const struct sgscope_pcm_key *k, __u32 number)
{
	return (__u32)(k->card * 16 + k->pcm * 2 + k->stream) ^ number << 3;
}

/*
 * A re-used slot's header, zeroed: its old events lie past head, where
 * nothing reads them.
 */
static const char zero_header[__builtin_offsetof(struct sgscope_xrun_report, ev)];

/*
 * A slot another substream of the same name holds: that one is gone (the
 * card's device was unbound or unplugged, a live name is unique), and its
 * slot is free for the new one, emptied.
 */
static __always_inline bool stale(struct xstream *st, const struct sgscope_pcm_key *k,
				  __u32 number)
{
	return st->r.key.card == k->card && st->r.key.pcm == k->pcm &&
	       st->r.key.stream == k->stream && st->number == number;
}

/*
 * The timeline of substream, or NULL: in its slot, claimed for it on its
 * first event (btf: its pointer carries BTF and is read directly).
 */
static __always_inline struct xstream *stream_of(struct snd_pcm_substream *substream, bool btf)
{
	__u64 key = (__u64)substream;
	struct sgscope_pcm_key k = {};
	struct snd_pcm *pcm = SGSCOPE_READ(btf, substream, pcm);
	struct snd_card *card = SGSCOPE_READ(btf, pcm, card);
	__u32 first, i, idx, number, *hidx;
	struct xstream *st;
	__u64 old;

	k.card = SGSCOPE_READ(btf, card, number);
	k.pcm = SGSCOPE_READ(btf, pcm, device);
	k.stream = SGSCOPE_READ(btf, substream, stream);
	number = SGSCOPE_READ(btf, substream, number);
	first = stream_hash(&k, number);
	for (i = 0; i < STREAM_PROBES; i++) {
		idx = (first + i) & (MAX_STREAMS - 1);
		st = bpf_map_lookup_elem(&streams, &idx);
		if (!st)
			return NULL;
		old = st->substream;
		if (old == key)
			return st->wanted ? st : NULL;
		if (old && !stale(st, &k, number))
			continue;
		/* a free or stale slot: one CPU claims it, another may be first */
		if (__sync_val_compare_and_swap(&st->substream, old, key) != old) {
			if (st->substream == key)
				return st->wanted ? st : NULL;
			continue;
		}
		if (old) {
			st->wanted = 0;
			bpf_probe_read_kernel(&st->r, sizeof(zero_header), zero_header);
		}
		st->idx = idx;
		st->number = number;
		st->last_irq = 0;
		st->period_ns = 0;
		st->r.key = k;
		/* the slot of a name's first substream stays that name's */
		bpf_map_update_elem(&headroom_index, &k, &idx, BPF_NOEXIST);
		hidx = bpf_map_lookup_elem(&headroom_index, &k);
		st->headroom = hidx ? *hidx : idx;
		st->hw_ptr = BPF_CORE_READ(substream, runtime, status, hw_ptr);
		st->wanted = pcm_wanted(k.card, k.pcm);
		return st->wanted ? st : NULL;
	}
	__sync_fetch_and_add(&overflow, 1);
	return NULL;
}

static __always_inline void push_handler(struct xstream *st, __u32 type, __u64 a,
					 __u64 b, __u64 c, const char *comm)
{
	__u32 index = __sync_fetch_and_add(&st->r.head, 1);
	struct sgscope_xrun_event *e = &st->r.ev[index & (SGSCOPE_XRUN_RING - 1)];

	sgscope_xrun_mark(&st->r.marks, index, type);
	e->ts = bpf_ktime_get_ns();
	e->a = a;
	e->b = b;
	e->c = c;
	e->type = type;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	/* a task's comm is always NUL-terminated within its TASK_COMM_LEN */
	if (comm)
		bpf_probe_read_kernel(e->comm, sizeof(e->comm), comm);
	else
		e->comm[0] = 0;
}

/* an event of any type but the handlers' (c = 0) */
static __always_inline void push(struct xstream *st, __u32 type, __u64 a,
				 __u64 b, const char *comm)
{
	push_handler(st, type, a, b, 0, comm);
}

/* The current task serves substream: its scheduling joins the timeline. */
static __always_inline void client_is(struct xstream *st,
				      struct snd_pcm_substream *substream)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), idx = tid % MAX_CLIENTS;
	__u64 key = (__u64)substream;
	struct client_slot *slot, c = { .tid = tid, .stream = st->idx, .substream = key };

	if (filter_pid && (bpf_get_current_pid_tgid() >> 32) != filter_pid)
		return;
	st->r.client_tid = tid;
	/* the same client again, the usual case: an array load */
	slot = bpf_map_lookup_elem(&client_slots, &idx);
	if (!slot || (slot->tid == tid && slot->substream == key))
		return;
	bpf_map_update_elem(&clients, &tid, &c, BPF_ANY);
	*slot = c;
}

/* The stream of a client task, or NULL. */
static __always_inline struct xstream *client_stream(__u32 tid)
{
	__u32 idx = tid % MAX_CLIENTS;
	struct client_slot *c = bpf_map_lookup_elem(&client_slots, &idx);
	struct xstream *st;

	if (!c || !c->tid)
		return NULL;
	if (c->tid != tid) {
		c = bpf_map_lookup_elem(&clients, &tid);
		if (!c)
			return NULL;
	}
	idx = c->stream;
	st = bpf_map_lookup_elem(&streams, &idx);
	return st && st->substream == c->substream && st->wanted &&
	       st->r.client_tid == tid ? st : NULL;
}

/* frames from b forward to a, on the runtime's pointer boundary */
static __always_inline __u64 ahead(__u64 a, __u64 b, __u64 boundary)
{
	return a >= b ? a - b : a + boundary - b;
}

/*
 * The stream's shape and the events its window needs to the CLI, each
 * in its own slot: a report costs what its window holds, not the ring.
 */
static __always_inline void report(struct xstream *st,
				   struct snd_pcm_substream *substream,
				   __u32 kind, __u64 headroom_frames)
{
	struct snd_pcm_runtime *runtime = BPF_CORE_READ(substream, runtime);
	struct sgscope_xrun_report *r;
	__u32 i, n, slot, head;

	r = bpf_ringbuf_reserve(&reports, sizeof(*r), 0);
	if (!r) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	bpf_probe_read_kernel(r, offsetof(struct sgscope_xrun_report, ev), &st->r);
	head = r->head;
	n = sgscope_xrun_window_events(&r->marks, head, kind);
	for (i = 0; i < SGSCOPE_XRUN_RING; i++) {
		if (i >= n)
			break;
		slot = (head - n + i) & (SGSCOPE_XRUN_RING - 1);
		bpf_probe_read_kernel(&r->ev[slot], sizeof(r->ev[slot]), &st->r.ev[slot]);
	}
	r->events = n;
	r->ts = bpf_ktime_get_ns();
	r->kind = kind;
	r->headroom_frames = headroom_frames;
	r->rate = BPF_CORE_READ(runtime, rate);
	r->period_frames = BPF_CORE_READ(runtime, period_size);
	r->buffer_frames = BPF_CORE_READ(runtime, buffer_size);
	bpf_ringbuf_submit(r, 0);
}

/* A hw_ptr move since the last look, as an event. */
static __always_inline void hw_seen(struct xstream *st, __u64 hw, __u64 boundary)
{
	if (hw == st->hw_ptr)
		return;
	push(st, SGSCOPE_XEV_HWPTR, hw, ahead(hw, st->hw_ptr, boundary), NULL);
	st->hw_ptr = hw;
}

static __always_inline void hw_check(struct xstream *st, struct snd_pcm_substream *substream,
				     bool btf)
{
	struct snd_pcm_runtime *runtime = SGSCOPE_READ(btf, substream, runtime);
	struct snd_pcm_mmap_status *status = SGSCOPE_READ(btf, runtime, status);
	__u64 hw = SGSCOPE_READ(btf, status, hw_ptr);

	if (hw != st->hw_ptr)
		hw_seen(st, hw, SGSCOPE_READ(btf, runtime, boundary));
}

/*
 * The interrupt handler this CPU runs: its start, or 0, and in *b its irq
 * and, for a handler thread, the thread's wake-up, in *off its time off
 * the CPU (SGSCOPE_XEV_PERIOD)
 */
static __always_inline __u64 handler_since(struct cpu_state *c, __u64 *b, __u64 *off)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct irq_thread *t;

	*b = 0;
	*off = 0;
	if (c && c->in_irq) {
		*b = c->irq;
		return c->irq_ts;
	}
	/* a handler thread's: from the hard interrupt that woke it */
	t = bpf_map_lookup_elem(&irq_threads, &tid);
	if (!t)
		return 0;
	*b = t->irq | (t->start_ts - t->hardirq_ts) << SGSCOPE_XEV_THREAD_SHIFT;
	*off = t->off_ns;
	return t->hardirq_ts;
}

/* a period's length in ns, 0 while the runtime has no rate */
static __always_inline __u64 period_ns_of(struct snd_pcm_substream *substream)
{
	struct snd_pcm_runtime *runtime = BPF_CORE_READ(substream, runtime);
	__u64 rate = BPF_CORE_READ(runtime, rate);

	return rate ? BPF_CORE_READ(runtime, period_size) * 1000000000ULL / rate : 0;
}

static __always_inline int period_enter(struct snd_pcm_substream *substream, bool btf)
{
	struct xstream *st = stream_of(substream, btf);
	struct task_struct *task;
	const char *comm = NULL;
	__u32 zero = 0;
	struct cpu_state *c;
	__u64 since, b, off;

	c = bpf_map_lookup_elem(&cpus, &zero);
	if (c)
		c->period_substream = substream;
	if (!st)
		return 0;
	since = handler_since(c, &b, &off);
	/*
	 * A hard interrupt later than a period after the last: name the task
	 * it interrupted (the likeliest to have held interrupts off) while
	 * that task lives.  In a handler thread the hard interrupt is gone.
	 */
	if (!st->period_ns)
		st->period_ns = period_ns_of(substream);
	if (c && c->in_irq && st->last_irq && st->period_ns &&
	    since > st->last_irq + st->period_ns) {
		task = (struct task_struct *)bpf_get_current_task();
		comm = task->comm;
	}
	if (since)
		st->last_irq = since;
	push_handler(st, SGSCOPE_XEV_PERIOD, since, b, off, comm);
	return 0;
}

/* after the core's pointer update: where the hardware pointer went */
static __always_inline int period_exit(struct snd_pcm_substream *substream, bool btf)
{
	struct xstream *st = stream_of(substream, btf);

	if (st)
		hw_check(st, substream, btf);
	return 0;
}

SGSCOPE_ENTRY1_BTF(period_enter, period_enter, struct snd_pcm_substream *)

/* fexit has the substream as its argument, a kretprobe only the CPU's mark */
SEC("fexit")
int BPF_PROG(period_exit_fexit, struct snd_pcm_substream *substream)
{
	return period_exit(substream, true);
}

SEC("kretprobe")
int BPF_KRETPROBE(period_exit_kretprobe, long ret)
{
	struct snd_pcm_substream *substream;
	struct cpu_state *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&cpus, &zero);
	if (!c || !c->period_substream)
		return 0;
	substream = c->period_substream;
	c->period_substream = NULL;
	return period_exit(substream, false);
}

static __always_inline int xrun_enter(struct snd_pcm_substream *substream)
{
	struct xstream *st = stream_of(substream, false);
	__u32 zero = 0;
	__u64 since, b, off;

	if (!st)
		return 0;
	hw_check(st, substream, false);
	since = handler_since(bpf_map_lookup_elem(&cpus, &zero), &b, &off);
	push_handler(st, SGSCOPE_XEV_XRUN, since, b, off, NULL);
	report(st, substream, SGSCOPE_XRUN_KIND_XRUN, 0);
	return 0;
}

SGSCOPE_ENTRY1(xrun_enter, xrun_enter, struct snd_pcm_substream *)

/*
 * The stream runs (at its start and each restart after an xrun): its
 * first interrupt is due a period from now, not from the last before.
 */
static __always_inline int start_enter(struct snd_pcm_substream *substream)
{
	struct xstream *st = stream_of(substream, false);

	if (!st)
		return 0;
	push(st, SGSCOPE_XEV_START, 0, 0, NULL);
	st->last_irq = bpf_ktime_get_ns();
	/* the shape is fixed while it runs: read once per start, not per period */
	st->period_ns = period_ns_of(substream);
	return 0;
}

SGSCOPE_ENTRY1(start_enter, start_enter, struct snd_pcm_substream *)

/* The stream is prepared: a run begins with its next event. */
static __always_inline int prepare_enter(struct snd_pcm_substream *substream)
{
	struct xstream *st = stream_of(substream, false);

	if (st)
		sgscope_xrun_prepared(&st->r.marks, st->r.head);
	return 0;
}

SGSCOPE_ENTRY1(prepare_enter, prepare_enter, struct snd_pcm_substream *)

/*
 * The client moves appl_ptr: how much the stream had left at that moment
 * is its headroom; too little is a near miss.
 */
static __always_inline int appl_enter(struct snd_pcm_substream *substream,
				      unsigned long appl, bool btf)
{
	struct snd_pcm_runtime *runtime = SGSCOPE_READ(btf, substream, runtime);
	struct xstream *st = stream_of(substream, btf);
	__u64 hw, old, boundary, buffer, queued, left, rate, ns;
	struct snd_pcm_mmap_control *control;
	struct snd_pcm_mmap_status *status;
	struct sgscope_hist *h;

	if (!st)
		return 0;
	client_is(st, substream);
	status = SGSCOPE_READ(btf, runtime, status);
	hw = SGSCOPE_READ(btf, status, hw_ptr);
	boundary = SGSCOPE_READ(btf, runtime, boundary);
	hw_seen(st, hw, boundary);
	control = SGSCOPE_READ(btf, runtime, control);
	old = SGSCOPE_READ(btf, control, appl_ptr);
	buffer = SGSCOPE_READ(btf, runtime, buffer_size);
	rate = SGSCOPE_READ(btf, runtime, rate);
	if (st->r.key.stream == SNDRV_PCM_STREAM_PLAYBACK) {
		left = ahead(old, hw, boundary);
	} else {
		queued = ahead(hw, old, boundary);
		left = queued < buffer ? buffer - queued : 0;
	}
	push(st, SGSCOPE_XEV_APPL, appl, left, NULL);
	if (SGSCOPE_READ(btf, status, state) != SGSCOPE_PCM_STATE_RUNNING ||
	    !rate || left > buffer)
		return 0;
	ns = left * 1000000000ULL / rate;
	h = bpf_map_lookup_elem(&headroom, &st->headroom);
	if (h)
		sgscope_hist_record(h, ns, 0);
	if (near_percent && left * 100 < (__u64)near_percent * buffer)
		report(st, substream, SGSCOPE_XRUN_KIND_NEAR, left);
	return 0;
}

SGSCOPE_ENTRY2_BTF(appl_enter, appl_enter, struct snd_pcm_substream *, unsigned long)

static __always_inline int xfer_enter(struct snd_pcm_substream *substream, bool btf)
{
	struct xstream *st = stream_of(substream, btf);

	if (!st)
		return 0;
	client_is(st, substream);
	push(st, SGSCOPE_XEV_XFER_IN, 0, 0, NULL);
	return 0;
}

static __always_inline int xfer_exit(long ret)
{
	struct xstream *st = client_stream((__u32)bpf_get_current_pid_tgid());

	if (st)
		push(st, SGSCOPE_XEV_XFER_OUT, ret, 0, NULL);
	return 0;
}

SGSCOPE_ENTRY1_BTF(xfer_enter, xfer_enter, struct snd_pcm_substream *)
SGSCOPE_EXIT(xfer_exit, xfer_exit, 5)

static __always_inline int poll_enter(struct file *file, bool btf)
{
	struct snd_pcm_file *pcm_file = SGSCOPE_READ(btf, file, private_data);
	struct snd_pcm_substream *substream = BPF_CORE_READ(pcm_file, substream);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct xstream *st;

	if (!substream)
		return 0;
	/* its client polls it again, the usual case: known from the slot */
	st = client_stream(tid);
	if (!st || st->substream != (__u64)substream)
		st = stream_of(substream, false);
	if (!st)
		return 0;
	client_is(st, substream);
	push(st, SGSCOPE_XEV_POLL, 0, 0, NULL);
	bpf_map_update_elem(&polling, &tid, &st->substream, BPF_ANY);
	return 0;
}

/*
 * The poll's result: poll() calls it again after a wake-up to collect
 * what is ready, and a ready stream ends the client's wait on it
 */
static __always_inline int poll_exit(long mask)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *polled = bpf_map_lookup_elem(&polling, &tid);
	struct xstream *st;

	if (!polled)
		return 0;
	st = client_stream(tid);
	if (st && st->substream == *polled)
		push(st, SGSCOPE_XEV_POLL_OUT, mask, 0, NULL);
	bpf_map_delete_elem(&polling, &tid);
	return 0;
}

SGSCOPE_ENTRY1_BTF(poll_enter, poll_enter, struct file *)
SGSCOPE_EXIT(poll_exit, poll_exit, 2)

/* Page faults and allocation stalls of a client, on its timeline. */
static __always_inline int client_event(__u32 type)
{
	struct xstream *st = client_stream((__u32)bpf_get_current_pid_tgid());

	if (st)
		push(st, type, 0, 0, NULL);
	return 0;
}

static __always_inline int fault_enter(void *vmf)
{
	return client_event(SGSCOPE_XEV_FAULT_IN);
}

static __always_inline int fault_exit(long ret)
{
	return client_event(SGSCOPE_XEV_FAULT_OUT);
}

static __always_inline int stall_enter(void *arg)
{
	return client_event(SGSCOPE_XEV_STALL_IN);
}

static __always_inline int stall_exit(long ret)
{
	return client_event(SGSCOPE_XEV_STALL_OUT);
}

SGSCOPE_ENTRY1(fault_enter, fault_enter, void *)
SGSCOPE_EXIT(fault_exit, fault_exit, 1)
SGSCOPE_ENTRY1(reclaim_enter, stall_enter, void *)
SGSCOPE_EXIT(reclaim_exit, stall_exit, 4)
SGSCOPE_ENTRY1(compact_enter, stall_enter, void *)
SGSCOPE_EXIT(compact_exit, stall_exit, 6)

/*
 * Interrupt handlers, per CPU: hard interrupts do not nest, so entry and
 * exit mark one handler; a tracer started inside a handler sees its exit
 * first, which only clears the mark.
 */
static __always_inline int irq_in(int irq)
{
	__u32 zero = 0;
	struct cpu_state *c = bpf_map_lookup_elem(&cpus, &zero);

	if (!c)
		return 0;
	c->irq_ts = bpf_ktime_get_ns();
	c->irq = irq;
	c->in_irq = 1;
	return 0;
}

static __always_inline int irq_out(int ret)
{
	__u32 zero = 0;
	struct cpu_state *c = bpf_map_lookup_elem(&cpus, &zero);

	if (!c)
		return 0;
	/* the first hard interrupt since the thread last ran */
	if (c->in_irq && ret == bpf_core_enum_value(enum irqreturn, IRQ_WAKE_THREAD))
		bpf_map_update_elem(&woken_irqs, &c->irq, &c->irq_ts, BPF_NOEXIST);
	c->in_irq = 0;
	return 0;
}

/* a handler thread runs its handler (irq_forced_thread_fn, irq_thread_fn) */
static __always_inline int irq_thread_entry(struct irq_desc *desc, struct irqaction *action)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct irq_thread t = { .start_ts = bpf_ktime_get_ns() };
	__u64 *hardirq;

	t.irq = BPF_CORE_READ(action, irq);
	hardirq = bpf_map_lookup_elem(&woken_irqs, &t.irq);
	t.hardirq_ts = hardirq ? *hardirq : t.start_ts;
	bpf_map_delete_elem(&woken_irqs, &t.irq);
	bpf_map_update_elem(&irq_threads, &tid, &t, BPF_ANY);
	return 0;
}

static __always_inline int irq_thread_out(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&irq_threads, &tid);
	return 0;
}

SGSCOPE_ENTRY2(forced_enter, irq_thread_entry, struct irq_desc *, struct irqaction *)
SGSCOPE_EXIT(forced_exit, irq_thread_out, 2)
SGSCOPE_ENTRY2(threaded_enter, irq_thread_entry, struct irq_desc *, struct irqaction *)
SGSCOPE_EXIT(threaded_exit, irq_thread_out, 2)

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_in_btf, int irq)
{
	return irq_in(irq);
}

SEC("raw_tp/irq_handler_entry")
int BPF_PROG(irq_in_raw, int irq)
{
	return irq_in(irq);
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_out_btf, int irq, struct irqaction *action, int ret)
{
	return irq_out(ret);
}

SEC("raw_tp/irq_handler_exit")
int BPF_PROG(irq_out_raw, int irq, struct irqaction *action, int ret)
{
	return irq_out(ret);
}

struct task_struct___old {
	unsigned int cpu;
} __attribute__((preserve_access_index));

/* the CPU a task is queued on: thread_info.cpu, or task->cpu before 5.16 */
static __always_inline __u32 task_cpu_of(struct task_struct *p)
{
	if (bpf_core_field_exists(p->thread_info.cpu))
		return BPF_CORE_READ(p, thread_info.cpu);
	return BPF_CORE_READ((struct task_struct___old *)p, cpu);
}

static __always_inline int woken(struct task_struct *p, bool btf)
{
	struct xstream *st = client_stream(SGSCOPE_READ(btf, p, pid));
	struct cpu_state *c;
	__u32 zero = 0, cpu;

	if (!st)
		return 0;
	cpu = task_cpu_of(p);
	c = bpf_map_lookup_percpu_elem(&cpus, &zero, cpu);
	if (c)
		push(st, SGSCOPE_XEV_WAKE, cpu, c->curr_tid,
		     c->curr ? (const char *)c->curr->comm : NULL);
	else
		push(st, SGSCOPE_XEV_WAKE, cpu, 0, NULL);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wakeup_btf, struct task_struct *p)
{
	return woken(p, true);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(wakeup_raw, struct task_struct *p)
{
	return woken(p, false);
}

static __always_inline int switched(bool preempt, struct task_struct *prev,
				    struct task_struct *next,
				    unsigned int prev_state, bool btf)
{
	__u32 prev_tid = SGSCOPE_READ(btf, prev, pid), next_tid = SGSCOPE_READ(btf, next, pid);
	struct irq_thread *t;
	struct xstream *st;
	struct cpu_state *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&cpus, &zero);
	if (c) {
		c->curr_tid = next_tid;
		c->curr = next;
	}
	/* a handler thread in its handler: the time until it runs again */
	t = bpf_map_lookup_elem(&irq_threads, &prev_tid);
	if (t)
		t->off_ts = bpf_ktime_get_ns();
	t = bpf_map_lookup_elem(&irq_threads, &next_tid);
	if (t && t->off_ts) {
		t->off_ns += bpf_ktime_get_ns() - t->off_ts;
		t->off_ts = 0;
	}
	st = client_stream(prev_tid);
	if (st)
		push(st, SGSCOPE_XEV_OFF,
		     preempt || prev_state == TASK_RUNNING_STATE, next_tid, next->comm);
	st = client_stream(next_tid);
	if (st)
		push(st, SGSCOPE_XEV_RUN, 0, prev_tid, prev->comm);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	return switched(preempt, prev, next, prev_state, true);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	return switched(preempt, prev, next, prev_state, false);
}
