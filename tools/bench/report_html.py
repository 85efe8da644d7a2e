#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.html: a run folder as one self-contained page.

usage: report_html.py RUNDIR [--results DIR]

What the folder has goes in: sgscope compare's headline and table
(compare.md) with the series of the cells that moved drawn from
compare.jsonl, sorted by the size of their change, each with both runs'
spread; the run's report (report.md) with its plots; and the history of
the run's series across the run folders under DIR (default: the results/
folder above RUNDIR), as asv draws one: a median per run, with its range.

Every figure is inline SVG and nothing is fetched: gnuplot's plots (drawn
by plots.py) are inlined with their ids made unique, the new ones are
drawn here as SVG marks, whose positions and labels need no plotting
library.  A script at the end records each figure's rendered size in the
page (body's data-figures and data-rendered, each figure's data-size), so
that a browser test reads them through the DOM."""
import glob, html, json, os, re, statistics, sys

ESC = html.escape
# the series a history shows for a run with no comparison: the summary's
PRIMARY = ("alloc_ns", "dma_map_ns", "fault_round_ns", "pagelat_p99_ns")
MAX_CHANGED = 40
MAX_HISTORY = 48
STYLE = """
body { font: 14px sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 8px 0 16px; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
td.num { text-align: right; }
code, pre { background: #f4f4f4; } pre { padding: 8px; overflow-x: auto; }
figure { margin: 12px 0; } figcaption { color: #555; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
.regression { color: #b00; font-weight: bold; }
"""
CHECK = """
window.addEventListener('load', function () {
  var figs = document.querySelectorAll('figure'), rendered = 0;
  figs.forEach(function (f) {
    var svg = f.querySelector('svg'), r = svg ? svg.getBoundingClientRect() : null;
    var want = (f.dataset.width || '0') + 'x' + (f.dataset.height || '0');
    if (r && r.width > 0 && r.height > 0) {
      f.dataset.size = Math.round(r.width) + 'x' + Math.round(r.height);
      f.dataset.box = [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]
        .map(Math.round).join(',');
      if (f.dataset.size === want) rendered++;
      else console.error('figure ' + f.id + ' drawn at ' + f.dataset.size + ', not ' + want);
    } else {
      console.error('figure ' + f.id + ' not rendered');
    }
  });
  document.body.dataset.figures = figs.length;
  document.body.dataset.rendered = rendered;
});
"""


def inline(text):
    """A markdown line's inline marks: `code`, **bold**, links."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:
            out.append(f"<code>{ESC(part[1:-1])}</code>")
        else:
            part = ESC(part)
            part = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", part)
            out.append(part)
    return "".join(out)


class Figures:
    """The page's figures, numbered, each an inline SVG in a figure."""

    def __init__(self):
        self.n = 0

    def add(self, svg, title, width, height):
        self.n += 1
        fid = f"fig{self.n}"
        caption = f"<figcaption>{ESC(title)}</figcaption>" if title else ""
        return (f'<figure id="{fid}" data-width="{width}" data-height="{height}">{svg}'
                f"{caption}</figure>")

    def gnuplot(self, path, title):
        """gnuplot's SVG file, inline: no prolog, ids prefixed, fixed size."""
        with open(path) as f:
            svg = f.read()
        svg = svg[svg.index("<svg"):]
        m = re.search(r"<svg[^>]*?width=\"(\d+)\"[^>]*?height=\"(\d+)\"", svg, re.S)
        if not m:
            m = re.search(r"viewBox=\"0 0 (\d+) (\d+)\"", svg)
        width, height = (int(m.group(1)), int(m.group(2))) if m else (880, 420)
        prefix = f"fig{self.n + 1}-"
        svg = re.sub(r"\bid=(['\"])", r"id=\1" + prefix, svg)
        svg = re.sub(r"href=(['\"])#", r"href=\1#" + prefix, svg)
        svg = re.sub(r"url\(#", "url(#" + prefix, svg)
        # gnuplot's "dynamic" size follows the window: a figure keeps its own
        svg = re.sub(r"<svg\b", f'<svg width="{width}" height="{height}"', svg, count=1)
        svg = re.sub(r'(<svg width="\d+" height="\d+")([^>]*?) width="[^"]*"', r"\1\2", svg, count=1)
        svg = re.sub(r'(<svg width="\d+" height="\d+")([^>]*?) height="[^"]*"', r"\1\2", svg, count=1)
        return self.add(svg, title, width, height)


def markdown(text, folder, figs):
    """The subset of markdown report.py and compare write, as HTML; an
    image of an SVG in folder is inlined."""
    out, para, table, lines = [], [], [], text.splitlines()
    i = 0

    def flush():
        if para:
            out.append(f"<p>{inline(' '.join(para))}</p>")
            para.clear()
        if table:
            rows = [r for r in table if not re.match(r"^\|[-:| ]+\|$", r)]
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            out.append("<table>")
            for k, row in enumerate(cells):
                tag = "th" if k == 0 else "td"
                out.append("<tr>" + "".join(f"<{tag}{numeric(c)}>{inline(c)}</{tag}>" for c in row) + "</tr>")
            out.append("</table>")
            table.clear()

    while i < len(lines):
        line = lines[i]
        img = re.match(r"^!\[(.*)\]\((.+?)\)\s*$", line)
        if line.startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append("<pre>" + ESC("\n".join(lines[i + 1:j])) + "</pre>")
            i = j + 1
            continue
        if line.startswith("#"):
            flush()
            level = min(len(line) - len(line.lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith("|"):
            if para:
                flush()
            table.append(line)
        elif line.startswith("- "):
            flush()
            out.append(f"<ul><li>{inline(line[2:])}</li></ul>")
        elif img:
            flush()
            path = os.path.join(folder, img.group(2))
            if img.group(2).endswith(".svg") and os.path.exists(path):
                out.append(figs.gnuplot(path, img.group(1)))
        elif not line.strip():
            flush()
        else:
            if table:
                flush()
            para.append(line)
        i += 1
    flush()
    return "\n".join(out)


def numeric(text):
    """ class="num" for a cell that is a number (right-aligned), else ''."""
    return ' class="num"' if re.fullmatch(r"[-+]?[\d.,]+(e[-+]?\d+)?%?~?|-", text.strip()) else ""


def fmt(v):
    return "-" if v is None else f"{v:.4g}"


def human(v, metric):
    """A value as a reader takes it in: times (metrics in ns) in ns, µs or ms."""
    if not metric.endswith("_ns"):
        return f"{v:.4g}"
    for scale, unit in ((1e6, "ms"), (1e3, "µs")):
        if abs(v) >= 10 * scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.0f} ns"


def changed_plot(rows, figs):
    """The series that moved, largest change first: per series both runs'
    values as dots on one axis of % of the base median, their ranges as
    lines, the medians as ticks, the change written at the right."""
    if not rows:
        return ""
    lo = min(min(r["rel_base"] + r["rel_new"]) for r in rows)
    hi = max(max(r["rel_base"] + r["rel_new"]) for r in rows)
    lo, hi = min(lo, -1.0), max(hi, 1.0)
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    left, plot_w, right, row_h, top = 360, 520, 170, 26, 40
    width, height = left + plot_w + right, top + row_h * len(rows) + 30

    def x(v):
        return left + (v - lo) / (hi - lo) * plot_w

    marks = [f'<text x="{left}" y="16" font-size="12">% of the base median: '
             f'<tspan fill="#777">base ●</tspan> <tspan fill="#c22">new ●</tspan>, '
             f"range as a line, median as a tick</text>",
             f'<line x1="{x(0):.1f}" y1="{top - 8}" x2="{x(0):.1f}" y2="{height - 26}" '
             f'stroke="#999" stroke-dasharray="3,3"/>']
    for tick in nice_ticks(lo, hi):
        marks.append(f'<text x="{x(tick):.1f}" y="{height - 10}" font-size="11" '
                     f'text-anchor="middle">{tick:+g}%</text>')
    for k, r in enumerate(rows):
        y = top + k * row_h + row_h / 2
        label = f'{r["cell"]} {r["metric"]}'
        marks.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
                     f"{ESC(label)}</text>")
        for off, vals, colour in ((-5, r["rel_base"], "#777"), (5, r["rel_new"], "#c22")):
            yy = y + off
            marks.append(f'<line x1="{x(min(vals)):.1f}" y1="{yy:.1f}" x2="{x(max(vals)):.1f}" '
                         f'y2="{yy:.1f}" stroke="{colour}" stroke-width="1.5"/>')
            for v in vals:
                marks.append(f'<circle cx="{x(v):.1f}" cy="{yy:.1f}" r="2.5" fill="{colour}"/>')
            med = statistics.median(vals)
            marks.append(f'<line x1="{x(med):.1f}" y1="{yy - 5:.1f}" x2="{x(med):.1f}" '
                         f'y2="{yy + 5:.1f}" stroke="{colour}" stroke-width="2"/>')
        change = "n/a" if r["change_pct"] is None else f'{r["change_pct"]:+.1f}%'
        weight = ' font-weight="bold" fill="#b00"' if r["verdict"] == "REGRESSION" else ""
        marks.append(f'<text x="{left + plot_w + 10}" y="{y + 4:.1f}" font-size="12"{weight}>'
                     f'{change} {ESC(r["verdict"])}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}">' + "".join(marks) + "</svg>")
    return figs.add(svg, "The series of the cells that moved, by the size of their change", width, height)


def nice_ticks(lo, hi):
    span = hi - lo
    step = 10 ** len(str(int(span / 4))) if span >= 4 else 1
    for s in (step / 10, step / 5, step / 2, step):
        if span / s <= 8:
            step = s
            break
    first = int(lo / step) * step
    return [first + k * step for k in range(int(span / step) + 2) if lo <= first + k * step <= hi]


def compare_rows(folder):
    """compare.jsonl's series that moved, or are in a cell where one did,
    with their values as % of the base median; and its header line."""
    path = os.path.join(folder, "compare.jsonl")
    if not os.path.exists(path):
        return None, []
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    head = next((x for x in lines if x.get("report") == "compare"), {})
    rows = []
    for s in lines:
        if s.get("report") != "series" or not (s["in_changed_cell"] or s["verdict"] != "same"):
            continue
        base = s["base_median"]
        if not base:
            continue
        s["rel_base"] = [(v - base) / abs(base) * 100 for v in s["base_values"]]
        s["rel_new"] = [(v - base) / abs(base) * 100 for v in s["new_values"]]
        rows.append(s)
    rows.sort(key=lambda r: -abs(r["change_pct"] or 0))
    return head, rows


def clock_of(run):
    """A run's clock as far as its numbers compare: icount's shift scales
    every time, so runs of two shifts are two clocks."""
    return (run.get("clock"), run.get("icount_shift") if run.get("clock") == "icount" else None)


def runs_under(results, clock):
    """Every run folder under results with run.json and samples.jsonl in
    this clock, oldest first: [(date, label, folder)]."""
    runs = []
    for rj in glob.glob(os.path.join(results, "**", "run.json"), recursive=True):
        folder = os.path.dirname(rj)
        if not os.path.exists(os.path.join(folder, "samples.jsonl")):
            continue
        try:
            with open(rj) as f:
                run = json.load(f)
        except (OSError, ValueError):
            continue
        if clock_of(run) != clock:
            continue
        label = f'{run.get("date", "?")[:10]} {run.get("git_sha", "?")[:7]}'
        runs.append((run.get("date", ""), label, os.path.realpath(folder)))
    return sorted(runs)


def medians(folder):
    """{(cell, metric): (median, low, high)} of a run folder's samples."""
    values = {}
    with open(os.path.join(folder, "samples.jsonl")) as f:
        for line in f:
            try:
                s = json.loads(line)
            except ValueError:
                continue
            if isinstance(s.get("value"), (int, float)):
                values.setdefault((s["cell"], s["metric"]), []).append(s["value"])
    return {k: (statistics.median(v), min(v), max(v)) for k, v in values.items()}


def history(folder, results, clock, keys, figs):
    """Small multiples: per series a median per run (oldest left), its
    range as a whisker, this run's point filled red."""
    runs = runs_under(results, clock)
    me = os.path.realpath(folder)
    if me not in [r[2] for r in runs]:
        runs.append(("~", "this run", me))
    data = [(label, path, medians(path)) for _, label, path in runs]
    out = []
    for key in keys[:MAX_HISTORY]:
        points = [(label, path == me, m[key]) for label, path, m in data if key in m]
        if len(points) < 2:
            continue
        w, h, l, b = 270, 150, 52, 28
        top = max(p[2][2] for p in points)
        bottom = min(p[2][1] for p in points)
        span = (top - bottom) or abs(top) or 1
        top, bottom = top + span * 0.1, max(0, bottom - span * 0.1)

        def y(v):
            return 22 + (top - v) / (top - bottom) * (h - b - 22)

        step = (w - l - 10) / max(1, len(points) - 1)
        marks = [f'<text x="4" y="13" font-size="11">{ESC(key[0])}</text>',
                 f'<text x="4" y="{h - 4}" font-size="10" fill="#555">{ESC(key[1])}, '
                 f"{len(points)} runs</text>",
                 f'<text x="{l - 4}" y="{y(top) + 4:.1f}" font-size="9" text-anchor="end">'
                 f"{human(top, key[1])}</text>",
                 f'<text x="{l - 4}" y="{y(bottom):.1f}" font-size="9" text-anchor="end">'
                 f"{human(bottom, key[1])}</text>"]
        path = []
        for k, (label, mine, (med, low, high)) in enumerate(points):
            px = l + k * step
            path.append(f"{px:.1f},{y(med):.1f}")
            marks.append(f'<line x1="{px:.1f}" y1="{y(low):.1f}" x2="{px:.1f}" y2="{y(high):.1f}" stroke="#888"/>')
            marks.append(f'<circle cx="{px:.1f}" cy="{y(med):.1f}" r="{4 if mine else 3}" '
                         f'fill="{"#c22" if mine else "#369"}"><title>{ESC(label)}: '
                         f"{human(med, key[1])}</title></circle>")
        marks.insert(0, f'<polyline points="{" ".join(path)}" fill="none" stroke="#369"/>')
        last = points[-1][2][0]
        marks.append(f'<text x="{w - 4}" y="{h - 4}" font-size="11" text-anchor="end" '
                     f'fill="#c22">{human(last, key[1])}</text>')
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
               f'viewBox="0 0 {w} {h}">' + "".join(marks) + "</svg>")
        out.append(figs.add(svg, None, w, h))
    if not out:
        return ""
    names = ", ".join(label for label, _, _ in data)
    return ("<h2>History</h2><p>Each series' median per run folder of the same clock, oldest "
            f"left, with its range; this run in red. Runs: {ESC(names)}.</p>"
            f'<div class="grid">{"".join(out)}</div>')


def write(folder, results=None):
    folder = folder.rstrip("/")
    results = results or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "results")
    with open(os.path.join(folder, "run.json")) as f:
        run = json.load(f)
    figs = Figures()
    body = [f"<h1>sgscope: {ESC(os.path.basename(os.path.abspath(folder)))}</h1>"]
    head, rows = compare_rows(folder)
    keys = []
    if head is not None:
        if os.path.exists(os.path.join(folder, "compare.md")):
            with open(os.path.join(folder, "compare.md")) as f:
                md = f.read()
            # the headline and the commands first; the table below the plot
            cut = md.find("| cell | metric |")
            body.append(markdown(md[:cut] if cut > 0 else md, folder, figs))
        # the plot: the series compare flagged, largest first; the table:
        # every series of their cells
        moved = [r for r in rows if r["verdict"] != "same"]
        shown = moved[:MAX_CHANGED]
        body.append("<h2>What moved</h2>")
        body.append(changed_plot(shown, figs) or "<p>No series moved past its threshold.</p>")
        if len(moved) > len(shown):
            body.append(f"<p>{len(moved) - len(shown)} more moved; all are in the table.</p>")
        if rows:
            body.append("<table><tr><th>cell</th><th>metric</th><th>unit</th><th>base median</th>"
                        "<th>new median</th><th>change</th><th>p</th><th>verdict</th></tr>")
            for r in rows:
                cls = ' class="regression"' if r["verdict"] == "REGRESSION" else ""
                change = "-" if r["change_pct"] is None else f'{r["change_pct"]:+.1f}%'
                body.append(f'<tr{cls}><td>{ESC(r["cell"])}</td><td>{ESC(r["metric"])}</td>'
                            f'<td>{ESC(r["unit"])}</td><td class="num">{fmt(r["base_median"])}</td>'
                            f'<td class="num">{fmt(r["new_median"])}</td><td class="num">{change}</td>'
                            f'<td class="num">{fmt(r["p"])}</td><td>{ESC(r["verdict"])}</td></tr>')
            body.append("</table>")
        keys = [(r["cell"], r["metric"]) for r in rows]
        # why: the profile diff of tools/bench/why, when it ran
        why = os.path.join(folder, "why", "why.md")
        if os.path.exists(why):
            with open(why) as f:
                body.append(markdown(f.read().replace("# Why", "## Why", 1), folder, figs))
    if os.path.exists(os.path.join(folder, "report.md")):
        with open(os.path.join(folder, "report.md")) as f:
            body.append(markdown(f.read(), folder, figs))
    if not keys:
        keys = sorted(k for k in medians(folder) if k[1] in PRIMARY)
    body.append(history(folder, results, clock_of(run), keys, figs))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>sgscope {ESC(os.path.basename(os.path.abspath(folder)))}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n" + "\n".join(body) +
            f"\n<script>{CHECK}</script>\n</body></html>\n")
    with open(os.path.join(folder, "report.html"), "w") as f:
        f.write(page)
    return figs.n


if __name__ == "__main__":
    args = sys.argv[1:]
    results = None
    if "--results" in args:
        k = args.index("--results")
        results = args[k + 1] if k + 1 < len(args) else None
        del args[k:k + 2]
        if not results:
            sys.exit("usage: report_html.py RUNDIR [--results DIR]")
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: report_html.py RUNDIR [--results DIR]", file=sys.stderr)
        sys.exit(2)
    if not os.path.exists(os.path.join(args[0], "run.json")):
        print(f"report_html.py: {args[0]} is not a run folder (no run.json)", file=sys.stderr)
        sys.exit(2)
    n = write(args[0], results)
    print(f"{args[0]}/report.html: {n} figures")
