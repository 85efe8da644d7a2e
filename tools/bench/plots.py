# SPDX-License-Identifier: GPL-2.0
"""The benchmark report's plots, drawn by gnuplot as SVG.

make_all(out, series, histograms, orders) draws what the run has data for
and returns [(file name without .svg, title)].  series maps (cell, metric)
to {"unit", "values"}; histograms maps a cell to {(low, high): count} of
pagelat's histogram buckets; orders maps a cell to {order: chunks}."""
import os, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import names  # noqa: E402

STRATEGIES = ["pcm0", "pcm1", "pcm2-lookup", "pcm2-cached", "pcm2-premapped", "pcm3"]
PEERS = ["intel8x0", "dummy"]
# each PCM's strategy, as driver/sgscope_names.h names it
STRATEGY_NAMES = names.strategies()
# "pcm2-lookup" -> "pcm2 vmalloc lookup": the PCM, its strategy, the .page
# variant
LABELS = {s: " ".join([s.split("-")[0], STRATEGY_NAMES[s.split("-")[0]]] + s.split("-")[1:])
          for s in STRATEGIES}
LABELS.update({"intel8x0": "snd-intel8x0", "dummy": "snd-dummy"})
CONDITIONS = ["none", "order1", "fragment", "lowmem"]
BOOTS = ["direct", "swiotlb", "iommu"]


def parts(cell):
    return dict(zip(("strategy", "boot", "size", "cond"), cell.split("/")))


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=False)


def header(out, name, title, ylabel, width=880):
    # noenhanced: hw_params is a name, not "hw" with a subscript p
    return (f"set terminal svg size {width},420 dynamic noenhanced font 'sans,11'\n"
            f"set output '{out}/{name}.svg'\nset title \"{title}\"\nset ylabel \"{ylabel}\"\n"
            # the key below the plot, never over the bars or lines
            "set grid ytics\nset key below horizontal\n")


def bars(out, name, title, ylabel, series, metric, rows, groups, pick, scale, limit=None):
    """Clustered bars: the median of metric for each row (a strategy) and
    group (a boot or condition); pick(strategy, group) gives the cell.
    limit: (title, cell), that cell's median drawn across as a dashed line."""
    table = []
    for row in rows:
        vals = []
        for g in groups:
            v = series.get((pick(row, g), metric))
            vals.append(f"{statistics.median(v['values']) / scale:.2f}" if v else "NaN")
        if any(x != "NaN" for x in vals):
            table.append((row, vals))
    if not table:
        return False
    dat = f"{out}/{name}.dat"
    with open(dat, "w") as f:
        f.write("strategy " + " ".join(groups) + "\n")
        for row, vals in table:
            f.write(f"\"{LABELS.get(row, row)}\" " + " ".join(vals) + "\n")
    line = ""
    if limit and series.get((limit[1], metric)):
        v = statistics.median(series[(limit[1], metric)]["values"]) / scale
        line = f", {v:.2f} with lines dt 2 lw 2 lc rgb 'black' title \"{limit[0]}\""
    gnuplot(header(out, name, title, ylabel) +
            "set style data histograms\nset style histogram clustered gap 1\n"
            "set style fill solid 0.8 border -1\nset yrange [0:*]\nset xtics rotate by -20\n"
            "set bmargin 8\nset offsets 0, 0, graph 0.08, 0\n"
            f"plot for [i=2:{len(groups) + 1}] '{dat}' using i:xtic(1) title columnheader(i){line}, "
            # each bar's value over it: bar i of a cluster of n sits at
            # the cluster's index + (i - (n - 1) / 2) / (n + gap); the header
            # line is row 0
            f"for [i=2:{len(groups) + 1}] '{dat}' using ($0 - 1 + (i - 2 - ({len(groups)} - 1) / 2.0) / "
            f"({len(groups)} + 1)):(column(i)):(sprintf('%.0f', column(i))) "
            "with labels offset 0,0.7 font ',9' notitle\n")
    os.remove(dat)
    return True


def ecdf(out, name, title, histograms, cells):
    """Cumulative share of faults at or below each log2 bucket's upper edge."""
    cells = [c for c in cells if c in histograms]
    if not cells:
        return False
    plot = []
    for i, cell in enumerate(cells):
        dat = f"{out}/{name}.{i}.dat"
        buckets = sorted(histograms[cell].items())
        total = sum(c for _, c in buckets)
        acc = 0
        with open(dat, "w") as f:
            f.write(f"{buckets[0][0][0] or 1} 0\n")
            for (lo, hi), c in buckets:
                acc += c
                f.write(f"{hi} {acc / total:.4f}\n")
        p = parts(cell)
        label = f"{LABELS.get(p['strategy'], p['strategy'])} {p['size']} {p['cond']}"
        plot.append(f"'{dat}' using 1:2 with steps lw 2 title '{label}'")
    gnuplot(header(out, name, title, "share of faults") +
            "set logscale x 2\nset xlabel 'fault latency, ns'\nset yrange [0:1.02]\n"
            "plot " + ", ".join(plot) + "\n")
    for i in range(len(cells)):
        os.remove(f"{out}/{name}.{i}.dat")
    return True


def order_stack(out, name, title, orders, cells):
    """Stacked bars: the share of the buffer's pages in chunks of each order."""
    cells = [c for c in cells if orders.get(c)]
    if not cells:
        return False
    used = sorted({o for c in cells for o in orders[c]})
    dat = f"{out}/{name}.dat"
    with open(dat, "w") as f:
        f.write("cell " + " ".join(f"order{o}" for o in used) + "\n")
        for c in cells:
            pages = {o: n << o for o, n in orders[c].items()}
            total = sum(pages.values())
            p = parts(c)
            f.write(f"\"{p['strategy']} {p['cond']}\" " +
                    " ".join(f"{100 * pages.get(o, 0) / total:.2f}" for o in used) + "\n")
    gnuplot(header(out, name, title, "% of the buffer's pages") +
            "set style data histograms\nset style histogram rowstacked\n"
            "set style fill solid 0.85 border -1\nset yrange [0:105]\nset key outside right\n"
            "set xtics rotate by -20\n"
            f"plot for [i=2:{len(used) + 1}] '{dat}' using i:xtic(1) title columnheader(i)\n")
    os.remove(dat)
    return True


def make_all(out, series, histograms, orders):
    cells = {c for c, _ in series}
    if not cells:
        return []
    sizes = sorted({parts(c)["size"] for c in cells}, key=lambda s: int(s[:-1]))
    mid = "256k" if "256k" in sizes else sizes[-1]
    big = sizes[-1]
    boots = [b for b in BOOTS if any(parts(c)["boot"] == b for c in cells)]
    conds = [k for k in CONDITIONS if any(parts(c)["cond"] == k for c in cells)]
    made = []

    def add(ok, name, title):
        if ok:
            made.append((name, title))

    t = f"hw_params allocation time by DMA mode, {mid}, no injection (median)"
    add(bars(out, "alloc-by-dma-mode", t, "microseconds", series, "alloc_ns", STRATEGIES, boots,
             lambda s, b: f"{s}/{b}/{mid}/none", 1000), "alloc-by-dma-mode", t)
    t = f"hw_params allocation time by condition, {big}, direct DMA (median)"
    add(bars(out, "alloc-by-condition", t, "microseconds", series, "alloc_ns", STRATEGIES, conds,
             lambda s, k: f"{s}/direct/{big}/{k}", 1000), "alloc-by-condition", t)
    t = f"dma_map cost by DMA mode, {mid}, no injection (median)"
    add(bars(out, "dma-map-by-dma-mode", t, "microseconds", series, "dma_map_ns", STRATEGIES, boots,
             lambda s, b: f"{s}/{b}/{mid}/none", 1000), "dma-map-by-dma-mode", t)
    t = "map + fault every page + unmap, 64 KiB, direct DMA: the strategies and the peers (median)"
    add(bars(out, "fault-loop-vs-peers", t, "microseconds per round", series, "fault_round_ns",
             STRATEGIES + PEERS, conds, lambda s, k: f"{s}/direct/64k/{k}", 1000,
             ("limit: pcm2 premapped, no faults", "pcm2-premapped/direct/64k/none")),
        "fault-loop-vs-peers", t)
    t = "page-callback latency (.page) p99 by condition, 64 KiB, direct DMA: sgscope and snd-dummy"
    add(bars(out, "pagelat-p99-vs-peers", t, "nanoseconds", series, "pagelat_p99_ns",
             ["pcm1", "pcm2-lookup", "pcm2-cached", "dummy"], conds,
             lambda s, k: f"{s}/direct/64k/{k}", 1), "pagelat-p99-vs-peers", t)
    ecdf_cells = [f"{s}/direct/{mid}/none" for s in ("pcm2-lookup", "pcm2-cached")]
    ecdf_cells += [f"pcm1/direct/{mid}/{k}" for k in ("order1", "fragment")]
    ecdf_cells += ["dummy/direct/64k/none"]
    t = f"page-callback latency ECDF, direct DMA ({mid}; snd-dummy 64 KiB)"
    add(ecdf(out, "pagelat-ecdf", t, histograms, ecdf_cells), "pagelat-ecdf", t)
    t = f"allocation outcomes by chunk order, {big}, direct DMA (all iterations)"
    stack = [f"{s}/direct/{big}/{k}" for s in ("pcm1", "pcm2-lookup", "pcm3") for k in conds]
    add(order_stack(out, "chunk-orders", t, orders, stack), "chunk-orders", t)
    return made
