#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark's quick run in the test machine yields a complete run
# folder whose kcidb.json has the KCIDB schema's required fields, and
# sgscope compare accepts it against itself.
source "$(dirname "$0")/lib.sh"

out="$repo/results/test/bench-quick"
rm -rf "$out"
"$repo/tools/bench/matrix" --quick "$out" | sed 's/^/# /'
for f in run.json samples.jsonl ktap.txt kcidb.json report.md alloc-by-dma-mode.svg \
	fault-loop-by-condition.svg; do
	[ -s "$out/$f" ]
	expect "bench --quick: $f is written" 0 $?
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def check(ok, name):
    print(("ok - " if ok else "not ok - ") + "bench --quick: " + name)
k = json.load(open(f"{out}/kcidb.json"))
v = k.get("version", {})
check(v.get("major") == 4 and isinstance(v.get("minor"), int), "kcidb.json has a v4 version")
need = {"checkouts": ("id", "origin"), "builds": ("id", "origin", "checkout_id"),
        "tests": ("id", "origin", "build_id")}
for kind, fields in need.items():
    objs = k.get(kind, [])
    check(objs and all(all(isinstance(o.get(f), str) and o[f] for f in fields) for o in objs),
          f"every one of the {len(objs)} {kind} has {', '.join(fields)}")
ids = {b["id"] for b in k.get("builds", [])}
check(all(t["build_id"] in ids for t in k.get("tests", [])), "every test names a build in the file")
check(all(t.get("number", {}).get("unit") for t in k.get("tests", [])), "every test carries its value and unit")
samples = [json.loads(l) for l in open(f"{out}/samples.jsonl")]
cells = {s["cell"] for s in samples}
check(len(cells) == 10, f"samples cover the 10 quick cells ({len(cells)})")
metrics = {s["metric"] for s in samples}
check({"fault_round_ns", "alloc_ns", "chunks", "dma_map_ns", "pagelat_p99_ns"} <= metrics,
      f"samples have every metric ({', '.join(sorted(metrics))})")
fb = [s["value"] for s in samples if s["cell"] == "pcm1/direct/256k/order1" and s["metric"] == "chunks"]
check(fb and min(fb) > 1, f"order-1 injection gives pcm1 chunked buffers (chunks {fb})")
run = json.load(open(f"{out}/run.json"))
check(all(run.get(f) for f in ("git_sha", "kernel", "config_sha256", "qemu", "knobs")),
      "run.json has the git sha, kernel, config hash, QEMU line and knobs")
PY
"$repo/build/sgscope/sgscope" compare "$out" "$out" >/dev/null
expect "bench --quick: compare of the run against itself finds no regression" 0 $?
finish
