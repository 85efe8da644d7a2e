#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sgscope lab: the benchmark in a LAVA lab.

sgscope lab jobs [--devices N] [--device-type TYPE] [--quick] [--iterations N]
                 [--filter GLOB] [--mode MODE] [--kernel URL] [--repository URL]
                 [--revision REV] [--timeout MINUTES] -o DIR

Writes DIR/job-K.yaml, K = 1..N: LAVA job definitions that shard the
benchmark's cells (tools/bench/guest-cells.sh --plan: the cell list
`sgscope bench` runs) over N devices of one device type, round robin so
each shard has every condition.  Each job boots its device on the kernel
at --kernel, clones this tree (--repository at --revision) on it through
LAVA's test shell and runs tools/lab/sgscope-bench.yaml there: `sgscope
bench --local` on its shard, every sample reported as a LAVA test case
with its measurement and unit, and the run folder's files printed whole
between marker lines for `sgscope lab collect` to take back unchanged.
Every job is checked against LAVA's own job schema (lava-common) before it
is written; DIR/shards.json lists which cells went where."""
import argparse
import json
import os
import subprocess
import sys

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTDEF = "tools/lab/sgscope-bench.yaml"


def cells(level, iterations, mode, glob):
    """The cells `sgscope bench --local` runs in this mode, in its order."""
    out = subprocess.run(["sh", f"{TREE}/tools/bench/guest-cells.sh", "--plan", mode, str(iterations),
                          level, "-", glob], capture_output=True, text=True, check=True).stdout
    return out.split()


def shard(names, n):
    """n shards, round robin: cell i goes to shard i mod n."""
    return [names[k::n] for k in range(n)]


def job(args, k, n, shard_cells, revision):
    """The LAVA job definition of shard k (from 1) of n."""
    return {
        "device_type": args.device_type,
        "job_name": f"sgscope bench {'quick' if args.quick else 'full'} shard {k} of {n} ({revision[:12]})",
        "priority": "medium",
        "visibility": "public",
        "timeouts": {"job": {"minutes": args.timeout}, "action": {"minutes": args.timeout},
                     "connection": {"minutes": 2}},
        "metadata": {"sgscope.revision": revision, "sgscope.shard": f"{k}/{n}",
                     "sgscope.cells": str(len(shard_cells))},
        "context": {"arch": "amd64"},
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"minutes": 10},
                        "images": {"kernel": {"image_arg": "-kernel {kernel}", "url": args.kernel}}}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"minutes": 10},
                      "prompts": ["# $"], "auto_login": {"login_prompt": "login:", "username": "root"}}},
            {"test": {"timeout": {"minutes": args.timeout - 25},
                      "definitions": [{
                          "repository": args.repository, "from": "git", "revision": revision,
                          "path": TESTDEF, "name": "sgscope-bench",
                          "parameters": {"CELLS": ",".join(shard_cells),
                                         "ITERATIONS": str(args.iterations),
                                         "LEVEL": "quick" if args.quick else "full"}}]}},
        ],
    }


def validate(data):
    """LAVA's own job schema; the message of what is wrong, or None."""
    try:
        from lava_common.schemas import validate as lava_validate
    except ImportError:
        sys.exit("sgscope lab: lava-common is missing (LAVA's job schema): run 'make deps'")
    import voluptuous
    try:
        lava_validate(data, strict=True)
    except voluptuous.Invalid as e:
        return str(e)
    return None


def write_yaml(path, data):
    try:
        import yaml
        text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False)
    except ImportError:
        text = json.dumps(data, indent=2)	# JSON is YAML too
    with open(path, "w") as f:
        f.write(text)


def jobs(argv):
    p = argparse.ArgumentParser(prog="sgscope lab jobs", description="LAVA jobs sharding the benchmark")
    p.add_argument("--devices", type=int, default=2, help="devices (jobs) to shard over (default 2)")
    p.add_argument("--device-type", default="qemu", help="LAVA device type (default qemu)")
    p.add_argument("--quick", action="store_true", help="the quick matrix")
    p.add_argument("--iterations", type=int, help="iterations per cell (default 10, 5 with --quick)")
    p.add_argument("--filter", default="*", help="only the cells matching these globs (commas)")
    p.add_argument("--mode", default="direct", choices=["direct", "swiotlb", "iommu"],
                   help="the DMA mode the devices boot in (default direct)")
    p.add_argument("--kernel", default="http://lab.example/sgscope/bzImage", help="the kernel image's URL")
    p.add_argument("--repository", default="https://lab.example/sgscope.git",
                   help="where the devices clone this tree from")
    p.add_argument("--revision", help="the commit they check out (default: this tree's HEAD)")
    p.add_argument("--timeout", type=int, default=120, help="minutes per job (default 120)")
    p.add_argument("-o", "--output", required=True, help="the folder for the job files")
    args = p.parse_args(argv)
    if args.devices < 1:
        p.error("--devices takes a whole number of 1 or more")
    if args.timeout < 30:
        p.error("--timeout takes 30 minutes or more (deploy and boot have 10 each)")
    if args.iterations is None:
        args.iterations = 5 if args.quick else 10
    if args.iterations < 1:
        p.error("--iterations takes a whole number of 1 or more")
    names = cells("quick" if args.quick else "full", args.iterations, args.mode, args.filter)
    if not names:
        p.error(f"no cell matches the filter '{args.filter}'")
    if args.devices > len(names):
        p.error(f"{args.devices} devices for {len(names)} cells: some would have nothing to run")
    revision = args.revision or subprocess.run(["git", "-C", TREE, "rev-parse", "HEAD"],
                                               capture_output=True, text=True).stdout.strip() or "HEAD"
    os.makedirs(args.output, exist_ok=True)
    shards = shard(names, args.devices)
    for k, part in enumerate(shards, 1):
        data = job(args, k, len(shards), part, revision)
        err = validate(data)
        if err:
            print(f"sgscope lab: job {k} does not validate against LAVA's schema: {err}", file=sys.stderr)
            return 1
        write_yaml(f"{args.output}/job-{k}.yaml", data)
    with open(f"{args.output}/shards.json", "w") as f:
        json.dump({"revision": revision, "device_type": args.device_type, "mode": args.mode,
                   "level": "quick" if args.quick else "full", "iterations": args.iterations,
                   "shards": shards}, f, indent=2)
    print(f"sgscope lab: {len(names)} cells in {len(shards)} jobs for device type "
          f"{args.device_type}: {args.output}/job-1.yaml .. job-{len(shards)}.yaml")
    return 0


def main(argv):
    if len(argv) < 1 or argv[0] not in ("jobs",):
        print("usage: sgscope lab jobs [OPTIONS] -o DIR   (sgscope lab jobs --help)", file=sys.stderr)
        return 2
    return jobs(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
