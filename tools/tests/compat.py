#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The compatibility table (docs/compatibility.md), made from what the test
machines recorded.

The guest checks (tools/tests/guest/lib.sh compat_row) write one TSV line
per probe of every tracer run they check: kernel, subcommand, attach asked
for, probe, attach got, function, whether its counts matched.

  compat.py check PAGE TSV...   a TAP line: PAGE's rows for the kernels
                                in the TSVs are exactly the TSVs' rows
  compat.py write PAGE TSV...   put those rows into PAGE (what `make
                                compat-table` does with the last runs')
  compat.py summary PAGE README write README's summary of PAGE: a row per
                                kernel, a column per subcommand, "yes" where
                                every probe's counts matched (inject: every
                                mode armed, or refused naming the kernel
                                option it needs, as the checks expect)
  compat.py summary-check PAGE README
                                a TAP line: README's summary is PAGE's, and
                                every kernel has "yes" for every subcommand
"""
import sys

BEGIN, END = "<!-- compat-table begin -->", "<!-- compat-table end -->"
SUMMARY_BEGIN, SUMMARY_END = "<!-- compat-summary begin -->", "<!-- compat-summary end -->"
SUBCOMMANDS = ["allocs", "pagelat", "dmamap", "xrun", "inject"]
HEADER = ["| kernel | subcommand | attach asked | probe | attach got | function | counts matched |",
          "|---|---|---|---|---|---|---|"]


def rows_of(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 7:
                    sys.exit(f"{path}: not a compat row: {line!r}")
                row = "| " + " | ".join(fields) + " |"
                if row not in rows:
                    rows.append(row)
    return rows


def kernel_of(row):
    return row.split("|")[1].strip()


def source_of(row):
    """A row's kernel and subcommand: a suite records the rows of its own
    subcommands on its kernel, and only those are its to check or replace."""
    fields = row.split("|")
    return fields[1].strip(), fields[2].strip()


def split_page(text, path):
    if BEGIN not in text or END not in text:
        sys.exit(f"{path} has no {BEGIN} ... {END} section")
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    rows = [line for line in table.strip().splitlines() if line.startswith("| ")][1:]
    return head, rows, tail


def merged(old, new):
    sources = {source_of(r) for r in new}
    kept = [r for r in old if source_of(r) not in sources]
    order = []
    for r in kept + new:
        if kernel_of(r) not in order:
            order.append(kernel_of(r))
    return [r for k in order for r in kept + new if kernel_of(r) == k]


def summary(rows):
    """The summary table's lines, and whether every cell says yes."""
    kernels = []
    for r in rows:
        if kernel_of(r) not in kernels:
            kernels.append(kernel_of(r))
    lines = ["| kernel | " + " | ".join(SUBCOMMANDS) + " |",
             "|---|" + "---|" * len(SUBCOMMANDS)]
    every = bool(kernels)
    for k in kernels:
        cells = []
        for sub in SUBCOMMANDS:
            matched = [r.split("|")[7].strip() for r in rows
                       if kernel_of(r) == k and source_of(r)[1] == sub]
            cell = "not run" if not matched else "yes" if all(m == "yes" for m in matched) else "no"
            # inject's modes a kernel lacks the options for refuse, as they should
            refused = [r for r in rows if kernel_of(r) == k and source_of(r)[1] == sub
                       and r.split("|")[5].strip().startswith("refused")]
            if cell == "yes" and refused:
                cell = (f"yes ({len(matched) - len(refused)} of {len(matched)} modes; "
                        "the rest refuse: no kernel option)")
            every = every and cell.startswith("yes")
            cells.append(cell)
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return lines, every


def readme_summary(page, readme):
    with open(page) as f:
        _, rows, _ = split_page(f.read(), page)
    with open(readme) as f:
        text = f.read()
    if SUMMARY_BEGIN not in text or SUMMARY_END not in text:
        sys.exit(f"{readme} has no {SUMMARY_BEGIN} ... {SUMMARY_END} section")
    head, rest = text.split(SUMMARY_BEGIN, 1)
    old, tail = rest.split(SUMMARY_END, 1)
    lines, every = summary(rows)
    return head, old.strip(), "\n".join(lines), tail, every


def main():
    if len(sys.argv) == 4 and sys.argv[1] in ("summary", "summary-check"):
        head, old, new, tail, every = readme_summary(sys.argv[2], sys.argv[3])
        if sys.argv[1] == "summary":
            with open(sys.argv[3], "w") as f:
                f.write(f"{head}{SUMMARY_BEGIN}\n{new}\n{SUMMARY_END}{tail}")
            return
        ok = old == new and every
        print(f"{'ok' if ok else 'not ok'} - compat: {sys.argv[3]}'s summary is {sys.argv[2]}'s, "
              f"every kernel yes for every subcommand")
        if not ok:
            print("\n".join(f"#   {line}" for line in new.splitlines()))
        return
    if len(sys.argv) < 4 or sys.argv[1] not in ("check", "write"):
        sys.exit(__doc__)
    page, tsvs = sys.argv[2], sys.argv[3:]
    new = rows_of(tsvs)
    with open(page) as f:
        head, old, tail = split_page(f.read(), page)
    kernels = sorted({kernel_of(r) for r in new})
    if sys.argv[1] == "write":
        table = "\n".join(HEADER + merged(old, new))
        with open(page, "w") as f:
            f.write(f"{head}{BEGIN}\n{table}\n{END}{tail}")
        return
    sources = {source_of(r) for r in new}
    mine = [r for r in old if source_of(r) in sources]
    ok = bool(new) and mine == new
    print(f"{'ok' if ok else 'not ok'} - compat: the compatibility table is what {', '.join(kernels) or 'no kernel'} "
          f"recorded ({len(new)} rows)")
    if not ok:
        print(f"#   the rows recorded (make compat-table writes them into {page}):")
        for r in new:
            print(f"#   {r}")


if __name__ == "__main__":
    main()
