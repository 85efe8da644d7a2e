#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A report.html in a real browser: Debian's Chromium, headless.

usage: browser-check.py PAGE SHOT [--figures N] [--value ROW HEADER TEXT]...

Prints ok/not ok lines (tools/tests/checks.sh's form, its own KTAP plan):
- the page loads with no console message at all (report_html.py's page
  logs only a figure drawn at the wrong size or not at all, and a script
  error is one too);
- every figure rendered at the size it declares (its script's count in
  the DOM), and at least N figures (default 1);
- in a screenshot of the whole page (SHOT, a PNG), every figure's box is
  not blank: more than one colour, and ink on more than 0.5% of it;
- --value ROW HEADER TEXT: the table row whose first cells are ROW
  (cells separated by '|') has TEXT in the column headed HEADER, read from
  the DOM as the browser built it."""
import html.parser, os, re, shutil, subprocess, sys, tempfile

from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# the flags of a closed network: no background connections, no sandbox as root
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=5000"]
WIDTH = 1280
results = []


def check(ok, name, why=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} - browser: {name}")
    if not ok and why:
        for line in str(why).splitlines()[:10]:
            print(f"#   {line}")


class Dom(html.parser.HTMLParser):
    """The body's data attributes, each figure's, and every table's rows."""

    def __init__(self):
        super().__init__()
        self.body, self.figures, self.tables = {}, [], []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        elif tag == "figure":
            self.figures.append(a)
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def chromium(profile, args, page):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page],
                          capture_output=True, text=True, timeout=120)


def table_value(dom, row, header):
    keys = row.split("|")
    for table in dom.tables:
        if not table:
            continue
        head = table[0]
        if header not in head:
            continue
        for r in table[1:]:
            if r[:len(keys)] == keys and len(r) > head.index(header):
                return r[head.index(header)]
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    page, shot, want_figures, values = os.path.abspath(argv[0]), argv[1], 1, []
    rest = argv[2:]
    while rest:
        if rest[0] == "--figures" and len(rest) > 1:
            want_figures, rest = int(rest[1]), rest[2:]
        elif rest[0] == "--value" and len(rest) > 3:
            values.append(tuple(rest[1:4]))
            rest = rest[4:]
        else:
            print(f"browser-check.py: unknown argument {rest[0]}", file=sys.stderr)
            return 2
    print(f"# begin: browser check of {page}")
    profile = tempfile.mkdtemp(prefix="sgscope-chromium-")
    try:
        run = chromium(profile, ["--enable-logging=stderr", "--v=0", f"--window-size={WIDTH},1000",
                                 "--dump-dom"], "file://" + page)
        console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
        check(run.returncode == 0 and "<body" in run.stdout, "Chromium loads the page",
              run.stderr[-2000:])
        check(not console, f"the page logs nothing to the console ({len(console)} messages)",
              "\n".join(console))
        dom = Dom()
        dom.feed(run.stdout)
        n, rendered = dom.body.get("data-figures"), dom.body.get("data-rendered")
        check(n is not None and n == rendered and int(n) >= want_figures,
              f"every figure rendered at its size ({rendered} of {n}; at least {want_figures})")
        boxes = []
        for f in dom.figures:
            box = [int(v) for v in f.get("data-box", "0,0,0,0").split(",")]
            boxes.append((f.get("id"), box, f"{f.get('data-width')}x{f.get('data-height')}"))
        height = max([b[1] + b[3] for _, b, _ in boxes] + [1000]) + 40
        run = chromium(profile, [f"--window-size={WIDTH},{height}", f"--screenshot={os.path.abspath(shot)}"],
                       "file://" + page)
        check(run.returncode == 0 and os.path.exists(shot), f"a screenshot of the whole page ({WIDTH}x{height})",
              run.stderr[-2000:])
        blank = []
        if os.path.exists(shot):
            image = Image.open(shot).convert("RGB")
            for fid, (x, y, w, h), size in boxes:
                crop = image.crop((x, y, x + w, y + h))
                colours = crop.getcolors(maxcolors=1 << 16) or [(1, 0), (1, 1)]
                background = max(colours)[1]
                ink = sum(c for c, rgb in colours if rgb != background)
                if len(colours) < 2 or ink <= 0.005 * w * h or f"{w}x{h}" != size:
                    blank.append(f"{fid} at {x},{y}: {w}x{h} (declares {size}), {len(colours)} colours, ink {ink}")
        check(bool(boxes) and not blank,
              f"the screenshot shows every figure, none blank ({len(boxes) - len(blank)} of {len(boxes)})",
              "\n".join(blank))
        for row, header, text in values:
            got = table_value(dom, row, header)
            check(got == text, f"the DOM's table has '{text}' as {header} of {row} (read: {got})")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    print(f"# end: browser check of {page}")
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
