# SPDX-License-Identifier: GPL-2.0
"""The soak stream's frame rate, read from tools/soak/soak_pattern.h (the
one place it is written, for the guest's player and the host's tools):
RATE, frames a second."""
import os
import re

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "soak_pattern.h")


def rate(header=HEADER):
    m = re.search(r"^#define SOAK_RATE\s+(\d+)\s*$", open(header).read(), re.M)
    if not m:
        raise ValueError(f"{header}: no SOAK_RATE")
    return int(m.group(1))


RATE = rate()
