# SPDX-License-Identifier: GPL-2.0
"""What the soak's Python tools share: the stream's frame rate, read from
tools/soak/soak_pattern.h (the one place it is written, for the guest's
player and the host's tools), RATE, frames a second; and jsonl(), the
reader of the runs' JSON-lines files."""
import json
import os
import re

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "soak_pattern.h")


def rate(header=HEADER):
    m = re.search(r"^#define SOAK_RATE\s+(\d+)\s*$", open(header).read(), re.M)
    if not m:
        raise ValueError(f"{header}: no SOAK_RATE")
    return int(m.group(1))


RATE = rate()


def jsonl(path):
    """PATH's JSON lines (lines that are not JSON objects skipped), or []
    if it cannot be read, saying so as a TAP comment"""
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.startswith("{")]
    except (OSError, ValueError) as e:
        print(f"# cannot read {path}: {e}")
        return []
