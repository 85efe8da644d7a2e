#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The documentation's own checks (tools/tests/15-docs.sh runs them).

  docs-check.py links FILE.md...   every relative link resolves: the file
                                   (or folder) exists, and for FILE#ANCHOR
                                   or #ANCHOR a heading of that GitHub slug;
                                   exit 1 on a broken link, and when the
                                   files hold no relative link at all
  docs-check.py measurements       docs/measurements.md is what
                                   tools/bench/measurements.py writes now

Messages go to stdout as "# " lines; the exit status is the verdict.
"""
import difflib
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    with open(path) as f:
        text = f.read()
    inside = False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        m = None if inside else HEADING.match(line)
        if m:
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def links_of(path):
    with open(path) as f:
        text = f.read()
    raw = LINK.findall("\n".join(_with_code(text)))
    return [t for t in raw if not EXTERNAL.match(t)]


def _with_code(text):
    """The lines outside code fences, inline code taken out."""
    inside = False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            yield re.sub(r"(?<!\()`[^`]*`(?!\))", "", line)


def broken(path, target):
    base, _, frag = target.partition("#")
    dest = os.path.normpath(os.path.join(os.path.dirname(path), base)) if base else path
    if not os.path.exists(dest):
        return f"{path}: {target}: no such file"
    if frag and (os.path.isdir(dest) or not dest.endswith(".md")):
        return f"{path}: {target}: an anchor into a file that is not markdown"
    if frag and frag not in anchors(dest):
        return f"{path}: {target}: no heading with that anchor in {dest}"
    return None


def check_links(paths):
    total, bad = 0, []
    for path in paths:
        for target in links_of(path):
            total += 1
            err = broken(path, target)
            if err:
                bad.append(err)
    for err in bad:
        print(f"# {err}")
    print(f"# {total} relative links in {len(paths)} files, {len(bad)} broken")
    return 1 if bad or total == 0 else 0


def check_measurements():
    page = os.path.join(REPO, "docs", "measurements.md")
    gen = subprocess.run([os.path.join(REPO, "tools", "bench", "measurements.py")],
                         capture_output=True, text=True)
    if gen.returncode != 0 or not gen.stdout:
        print(f"# measurements.py failed: {gen.stderr.strip()}")
        return 1
    with open(page) as f:
        have = f.read()
    if have == gen.stdout:
        return 0
    diff = difflib.unified_diff(have.splitlines(), gen.stdout.splitlines(),
                                "docs/measurements.md", "measurements.py", lineterm="")
    for line in list(diff)[:40]:
        print(f"#   {line}")
    print("# docs/measurements.md is stale: tools/bench/measurements.py --write")
    return 1


def main(argv):
    if argv[:1] == ["links"] and len(argv) > 1:
        return check_links(argv[1:])
    if argv == ["measurements"]:
        return check_measurements()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
