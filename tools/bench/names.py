# SPDX-License-Identifier: GPL-2.0
"""The buffer strategies' names, read from the driver's header
(driver/sgscope_names.h), the one place they are written: PCM device N is
the Nth entry of enum sgscope_strategy, named by SGSCOPE_<ID>_NAME.

strategies() -> {"pcm0": "prealloc", ...}"""
import os
import re

HEADER = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      "driver", "sgscope_names.h")


def strategies(header=HEADER):
    text = open(header).read()
    enum = re.search(r"enum sgscope_strategy \{(.*?)\};", text, re.S)
    if not enum:
        raise ValueError(f"{header}: no enum sgscope_strategy")
    ids = [m for m in re.findall(r"^\s*SGSCOPE_(\w+),", enum.group(1), re.M) if m != "NUM_PCMS"]
    names = dict(re.findall(r'^#define SGSCOPE_(\w+)_NAME\s+"([^"]+)"', text, re.M))
    missing = [i for i in ids if i not in names]
    if not ids or missing:
        raise ValueError(f"{header}: no name for {missing or 'any strategy'}")
    return {f"pcm{n}": names[i] for n, i in enumerate(ids)}


if __name__ == "__main__":
    for pcm, name in strategies().items():
        print(pcm, name)
