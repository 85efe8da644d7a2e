#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""List the C and Python functions longer than the project allows.

Usage: function-lengths.py [--max N] [FILE...]

Without FILE, the files git tracks in the repository: *.c, *.h, *.py and
the scripts without an extension that run python3.  A C function runs
from a "{" in column 0 to the next "}" in column 0, both counted, and is
named from the signature above it; a Python function (def or async def,
nested ones too) runs from its def line to its last line (ast's lineno
and end_lineno).

Prints "FILE:LINE NAME LENGTH" per function over N lines (80), then
"# scanned F functions in M files (C c, P Python)"; exits 1 when a
function is too long or when no function was scanned at all, 2 on a
Python file that does not parse.
"""
import ast
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def tracked():
    """The repository's C, header and Python files, Python scripts included."""
    out = subprocess.run(["git", "-C", REPO, "ls-files", "-z"], capture_output=True, text=True, check=True)
    files = []
    for name in out.stdout.split("\0"):
        path = os.path.join(REPO, name)
        if not name or not os.path.isfile(path):
            continue
        if name.endswith((".c", ".h", ".py")):
            files.append(path)
        elif "." not in os.path.basename(name):
            with open(path, "rb") as f:
                first = f.readline()
            if first.startswith(b"#!") and b"python3" in first:
                files.append(path)
    return files


def c_functions(text):
    """(name, first line, length) of each function body of C source."""
    lines = text.splitlines()
    found, start = [], None
    for at, line in enumerate(lines):
        if line.startswith("{") and start is None:
            start = at
        elif line.startswith("}") and start is not None:
            name = "?"
            for back in range(start - 1, max(start - 6, -1), -1):
                m = NAME.findall(lines[back])
                if m:
                    name = m[0]
                    break
            found.append((name, start + 1, at - start + 1))
            start = None
    return found


def python_functions(text, path):
    """(name, def line, length) of each function of Python source."""
    tree = ast.parse(text, path)
    return [(node.name, node.lineno, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def main(argv):
    limit = 80
    if argv[:1] == ["--max"]:
        limit, argv = int(argv[1]), argv[2:]
    files = argv or tracked()
    counts = {"C": 0, "Python": 0}
    long = []
    for path in files:
        with open(path, errors="replace") as f:
            text = f.read()
        kind = "C" if path.endswith((".c", ".h")) else "Python"
        try:
            funcs = c_functions(text) if kind == "C" else python_functions(text, path)
        except SyntaxError as e:
            print(f"{os.path.relpath(path, REPO)}: does not parse: {e}")
            return 2
        counts[kind] += len(funcs)
        long += [(os.path.relpath(path, REPO), at, name, n) for name, at, n in funcs if n > limit]
    for path, at, name, n in sorted(long):
        print(f"{path}:{at} {name} {n}")
    total = counts["C"] + counts["Python"]
    print(f"# scanned {total} functions in {len(files)} files ({counts['C']} C, {counts['Python']} Python)")
    return 1 if long or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
