# SPDX-License-Identifier: GPL-2.0
"""Which comparison rule (samples.jsonl's "kind") an allocation or mapping
series of a cell gets.  assemble.py asks it for every split series;
docs/allocation-costs.md says why, with the runs that measured it.

A part of an allocation is the code path's (kind "part", compared like
the page path) unless sgscope allocs marks it the state's ("state" in its
events, bpf/sgscope_shared.h's SGSCOPE_STATE_PARTS: kind "state", shown
and never flagged: a lab shard's vmap-area took 3.7 times a plain run's).  Beyond that:
- under the fragment and lowmem conditions the split makes no series: the
  state is the condition, and the page allocator's slow path (which the
  test kernel cannot trace, so it stays inside the page allocator's part)
  took 20 us in one run and 189 us in the next; alloc_ns judges those
  cells as before, and sgscope allocs shows their split;
- in the iommu mode every DMA allocation and map takes IOVA space, whose
  tree follows the boot's history, and an SG fallback's work grows with
  its chunk count: those cells' split series are the state's;
- a map's fixed and per-entry cost is the code path's in the direct mode
  only: swiotlb's time is its bounce copies, bytes rather than entries;
- and not for the buffer of ALSA's SG fallback: its hundreds of entries
  (a chained scatterlist past 128) cost 35 us more than the fit in some
  maps and not in others of one cell (pcm1/direct/1024k/order1: 5 and 2
  of 10 in two full runs of one commit); the cause is not found yet, so
  those maps are the state's."""

PART, STATE = "part", "state"
STATEFUL_CONDITIONS = ("fragment", "lowmem")
STATEFUL_MODES = ("iommu",)


def split_kind(cell, state_part=False, fallback=False):
    """The kind of an allocation's split series (alloc_path_ns,
    alloc_state_ns and the parts) in CELL, STRATEGY/MODE/SIZE/CONDITION,
    whose allocations took ALSA's SG fallback if FALLBACK (its work grows
    with its chunk count, 14 to 64 in one cell); None: the cell has none."""
    mode, cond = cell.split("/")[1], cell.split("/")[-1]
    if cond in STATEFUL_CONDITIONS:
        return None
    if state_part or fallback or mode in STATEFUL_MODES:
        return STATE
    return PART


def map_kind(map_mode, fallback=False):
    """The kind of a map's dma_map_fixed_ns and dma_map_entry_ns, by the
    mode sgscope dmamap saw the device in, and whether the cell's buffers
    came from ALSA's SG fallback."""
    if map_mode != "direct":
        return "allocator"
    return STATE if fallback else PART
