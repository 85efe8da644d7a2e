# SPDX-License-Identifier: GPL-2.0
"""The smallest-safe-buffer section of a report: the table tools/soak/trials
wrote into FOLDER/smallest-buffer/table.md, with what it measured, for the
bench's report.md (a full run's) and the soak's (make soak's)."""
import glob
import json

FOLDER = "smallest-buffer"


def section(out):
    """The section's markdown lines, or [] when OUT has no trials."""
    try:
        with open(f"{out}/{FOLDER}/table.md") as f:
            table = f.read().splitlines()
    except OSError:
        return []
    seconds = set()
    for path in glob.glob(f"{out}/{FOLDER}/*/trial.json"):
        try:
            with open(path) as f:
                seconds.add(json.load(f)["seconds"])
        except (OSError, ValueError, KeyError):
            pass
    per_size = " or ".join(f"{s} s" for s in sorted(seconds)) or "a set time"
    return ["", "## Smallest safe buffer", "",
            "Each strategy's smallest buffer that ran clean (no xrun told, no break in the capture, "
            f"every larger size clean too), all four playing and capturing at once for {per_size} "
            "of guest time per size, in direct and IOMMU mode, with and without `sgscope inject "
            f"--fragment` (`tools/soak/trials`; each trial's steps in {FOLDER}/*/trial.md).",
            ""] + table
