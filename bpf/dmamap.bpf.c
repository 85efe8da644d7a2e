// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dmamap: what the DMA API costs each device.  Every traced call lands in
 * a per-CPU histogram keyed by device name and call; scatter-gather maps
 * are also sent one by one (entries in, segments out); swiotlb bounces
 * are counted per device; and each device's DMA mode (direct, swiotlb,
 * IOMMU, dma_map_ops) is read from its struct device.
 */
#include "sgscope_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define DMA_MAPPING_ERROR	(~(__u64)0)

/* Fields that come and go between kernels: CO-RE checks which exist. */
struct device___dma_ops {
	const void *dma_ops;
} __attribute__((preserve_access_index));

struct device___dma_iommu {
	bool dma_iommu: 1;
} __attribute__((preserve_access_index));

struct device___swiotlb {
	struct io_tlb_mem *dma_io_tlb_mem;
} __attribute__((preserve_access_index));

struct dma_start {
	__u64 ts;
	struct device *dev;
	struct sg_table *sgt;
	__s32 nents;
	__u32 mode;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);	/* thread id << 8 | op: IRQs nest other ops */
	__type(value, struct dma_start);
} starts SEC(".maps");

/*
 * A histogram per device and op, made when the pair is first seen: only a
 * few pairs ever are, and 1024 preallocated histograms would hold 8 MB on
 * every CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct sgscope_dev_op_key);
	__type(value, struct sgscope_hist);
} latency SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct sgscope_dev_key);
	__type(value, struct sgscope_dev_stats);
} dev_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} map_events SEC(".maps");

__u64 lost_events;

/* Only the devices the user asked about: empty means all of them. */
const volatile char filter_dev[SGSCOPE_DEV_NAME_LEN];

static __always_inline __u32 dma_mode(struct device *dev)
{
	struct device___dma_iommu *with_iommu = (void *)dev;
	struct device___dma_ops *with_ops = (void *)dev;
	struct device___swiotlb *with_swiotlb = (void *)dev;
	struct io_tlb_mem *mem;

	if (bpf_core_field_exists(with_iommu->dma_iommu) &&
	    BPF_CORE_READ_BITFIELD_PROBED(with_iommu, dma_iommu))
		return SGSCOPE_DMA_MODE_IOMMU;
	if (bpf_core_field_exists(with_ops->dma_ops) &&
	    BPF_CORE_READ(with_ops, dma_ops))
		return SGSCOPE_DMA_MODE_DMA_OPS;
	if (bpf_core_field_exists(with_swiotlb->dma_io_tlb_mem)) {
		mem = BPF_CORE_READ(with_swiotlb, dma_io_tlb_mem);
		if (mem && BPF_CORE_READ(mem, force_bounce))
			return SGSCOPE_DMA_MODE_SWIOTLB;
	}
	return SGSCOPE_DMA_MODE_DIRECT;
}

static __always_inline bool dev_name(struct device *dev, char *name)
{
	const char *kname = BPF_CORE_READ(dev, kobj.name);
	int i;

	bpf_probe_read_kernel_str(name, SGSCOPE_DEV_NAME_LEN, kname);
	if (!filter_dev[0])
		return true;
	for (i = 0; i < SGSCOPE_DEV_NAME_LEN; i++) {
		if (name[i] != filter_dev[i])
			return false;
		if (!name[i])
			break;
	}
	return true;
}

static __always_inline __u64 start_key(__u32 op)
{
	return ((__u64)(__u32)bpf_get_current_pid_tgid() << 8) | op;
}

static __always_inline int op_enter(struct device *dev, __u32 op,
				    struct sg_table *sgt, int nents)
{
	struct dma_start start = {
		.dev = dev,
		.sgt = sgt,
		.nents = nents,
	};
	__u64 key = start_key(op);

	if (!pid_wanted())
		return 0;
	start.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &key, &start, BPF_ANY);
	return 0;
}

/* Records the call; hands back its start for the map_sg event. */
static __always_inline int op_exit(__u32 op, bool error, long ret)
{
	struct sgscope_dev_op_key key = { .op = op };
	struct sgscope_dev_key dkey = {};
	struct sgscope_dev_stats *stats, zero = {};
	struct sgscope_map_event *e;
	struct dma_start *start;
	struct sg_table *sgt;
	struct device *dev;
	__u64 skey = start_key(op), delta;
	__u32 mode;

	start = bpf_map_lookup_elem(&starts, &skey);
	if (!start)
		return 0;
	delta = bpf_ktime_get_ns() - start->ts;
	dev = start->dev;
	if (!dev_name(dev, key.dev))
		goto out;
	hist_add(&latency, &key, delta, error);

	__builtin_memcpy(dkey.dev, key.dev, sizeof(dkey.dev));
	stats = bpf_map_lookup_elem(&dev_stats, &dkey);
	if (!stats) {
		bpf_map_update_elem(&dev_stats, &dkey, &zero, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&dev_stats, &dkey);
		if (!stats)
			goto out;
	}
	mode = dma_mode(dev);
	stats->mode = mode;

	if (op != SGSCOPE_DMA_MAP_SG && op != SGSCOPE_DMA_MAP_SGTABLE)
		goto out;
	e = bpf_ringbuf_reserve(&map_events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		goto out;
	}
	e->duration_ns = delta;
	e->op = op;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->mode = mode;
	e->pad = 0;
	if (op == SGSCOPE_DMA_MAP_SGTABLE) {
		/* a plain load first: BPF_CORE_READ would relocate start-> too */
		sgt = start->sgt;
		e->nents = BPF_CORE_READ(sgt, orig_nents);
		e->mapped = ret ? ret : BPF_CORE_READ(sgt, nents);
	} else {
		e->nents = start->nents;
		e->mapped = ret;
	}
	__builtin_memcpy(e->dev, key.dev, sizeof(e->dev));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &skey);
	return 0;
}

/* A call whose cost is all we want: entry takes the device. */
#define DMA_TIMED(name, op)						\
static __always_inline int name##_enter(struct device *dev)		\
{ return op_enter(dev, op, NULL, 0); }					\
static __always_inline int name##_exit(void)				\
{ return op_exit(op, false, 0); }					\
SGSCOPE_ENTRY1(name##_enter, name##_enter, struct device *)		\
SGSCOPE_RETURN(name##_exit, name##_exit)

DMA_TIMED(sync_sg_cpu, SGSCOPE_DMA_SYNC_SG_CPU)
DMA_TIMED(sync_sg_device, SGSCOPE_DMA_SYNC_SG_DEVICE)
DMA_TIMED(sync_single_cpu, SGSCOPE_DMA_SYNC_SINGLE_CPU)
DMA_TIMED(sync_single_device, SGSCOPE_DMA_SYNC_SINGLE_DEVICE)

/* Calls that can fail: exit sees the return value. */
#define DMA_CHECKED(name, op, nargs, failed)				\
static __always_inline int name##_enter(struct device *dev)		\
{ return op_enter(dev, op, NULL, 0); }					\
static __always_inline int name##_exit(long ret)			\
{ return op_exit(op, failed, 0); }					\
SGSCOPE_ENTRY1(name##_enter, name##_enter, struct device *)		\
SGSCOPE_EXIT(name##_exit, name##_exit, nargs)

DMA_CHECKED(alloc, SGSCOPE_DMA_ALLOC, 5, !ret)
DMA_CHECKED(alloc_noncontig, SGSCOPE_DMA_ALLOC_NONCONTIG, 5, !ret)
DMA_CHECKED(map_page, SGSCOPE_DMA_MAP_PAGE, 6,
	    (__u64)ret == DMA_MAPPING_ERROR)

/* dma_map_sg_attrs(dev, sg, nents, dir, attrs): returns segments, 0 on error */
static __always_inline int map_sg_enter(struct device *dev, void *sg, int nents)
{
	return op_enter(dev, SGSCOPE_DMA_MAP_SG, NULL, nents);
}

static __always_inline int map_sg_exit(long ret)
{
	return op_exit(SGSCOPE_DMA_MAP_SG, (int)ret <= 0, (int)ret);
}

SEC("fentry")
int BPF_PROG(map_sg_enter_fentry, struct device *dev, void *sg, int nents)
{
	return map_sg_enter(dev, sg, nents);
}

SEC("kprobe")
int BPF_KPROBE(map_sg_enter_kprobe, struct device *dev, void *sg, int nents)
{
	return map_sg_enter(dev, sg, nents);
}

SGSCOPE_EXIT(map_sg_exit, map_sg_exit, 5)

/* dma_map_sgtable(dev, sgt, dir, attrs): 0 or a negative errno */
static __always_inline int map_sgtable_enter(struct device *dev,
					     struct sg_table *sgt)
{
	return op_enter(dev, SGSCOPE_DMA_MAP_SGTABLE, sgt, 0);
}

static __always_inline int map_sgtable_exit(long ret)
{
	return op_exit(SGSCOPE_DMA_MAP_SGTABLE, ret != 0, (int)ret);
}

SGSCOPE_ENTRY2(map_sgtable_enter, map_sgtable_enter, struct device *,
	       struct sg_table *)
SGSCOPE_EXIT(map_sgtable_exit, map_sgtable_exit, 4)

/* swiotlb copied a mapping into its bounce buffer */
static __always_inline int bounced(struct device *dev, __u64 size)
{
	struct sgscope_dev_key key = {};
	struct sgscope_dev_stats *stats, zero = {};

	if (!dev_name(dev, key.dev))
		return 0;
	stats = bpf_map_lookup_elem(&dev_stats, &key);
	if (!stats) {
		zero.mode = dma_mode(dev);
		bpf_map_update_elem(&dev_stats, &key, &zero, BPF_NOEXIST);
		stats = bpf_map_lookup_elem(&dev_stats, &key);
		if (!stats)
			return 0;
	}
	stats->bounces++;
	stats->bounce_bytes += size;
	return 0;
}

SEC("tp_btf/swiotlb_bounced")
int BPF_PROG(bounced_btf, struct device *dev, dma_addr_t addr, size_t size)
{
	return bounced(dev, size);
}

SEC("raw_tp/swiotlb_bounced")
int BPF_PROG(bounced_raw, struct device *dev, dma_addr_t addr, size_t size)
{
	return bounced(dev, size);
}
