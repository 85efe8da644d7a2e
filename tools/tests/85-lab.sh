#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope lab jobs: LAVA job definitions sharding the quick matrix over
# two devices, checked with LAVA's own schemas (lava-common): the jobs, a
# job broken on purpose, the test definition they run; the shards
# partition the benchmark's cell list; the samples become LAVA test cases.
source "$(dirname "$0")/lib.sh"
plan 14

S="$repo/build/sgscope/sgscope"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SGSCOPE_REPO=$repo

"$S" lab >/dev/null 2>"$tmp/err"
expect "lab: no lab command exits 2" 2 $?
grep -q '^usage: sgscope lab jobs' "$tmp/err"
expect "lab: ... with usage on stderr" 0 $?
"$S" lab jobs --devices 0 -o "$tmp/none" >/dev/null 2>&1
expect "lab jobs: --devices 0 exits 2" 2 $?
"$S" lab jobs --quick --filter 'nosuch/*' -o "$tmp/none" >/dev/null 2>"$tmp/err"
expect "lab jobs: a filter that matches nothing exits 2" 2 $?
[ ! -e "$tmp/none" ] && grep -q "no cell matches the filter 'nosuch/\*'" "$tmp/err"
expect "lab jobs: ... says so and writes nothing" 0 $?

"$S" lab jobs --quick --devices 2 -o "$tmp/jobs" --revision 0123456789abcdef --kernel http://lab/bzImage \
	2>&1 | sed 's/^/# /'
expect "lab jobs: the quick matrix over 2 devices exits 0" 0 "${PIPESTATUS[0]}"

/usr/bin/python3 - "$tmp/jobs" "$repo" <<'PY'
import copy, json, subprocess, sys, yaml
from lava_common.schemas import validate
from lava_common.schemas.test.testdef import validate as validate_testdef
import voluptuous
jobs, repo = sys.argv[1], sys.argv[2]
def check(ok, name):
    print(("ok - " if ok else "not ok - ") + "lab jobs: " + name)
def valid(data):
    try:
        validate(data, strict=True)
        return None
    except voluptuous.Invalid as e:
        return str(e)
loaded = []
for k in (1, 2):
    try:
        data = yaml.safe_load(open(f"{jobs}/job-{k}.yaml"))
    except OSError as e:
        data = {}
    err = valid(data) if data else "no file"
    check(err is None, f"job-{k}.yaml validates against LAVA's job schema{f' ({err})' if err else ''}")
    loaded.append(data)
want = subprocess.run(["sh", f"{repo}/tools/bench/guest-cells.sh", "--plan", "direct", "5", "quick", "-", "*"],
                      capture_output=True, text=True).stdout.split()
def cells_of(data):
    try:
        return data["actions"][2]["test"]["definitions"][0]["parameters"]["CELLS"].split(",")
    except (KeyError, IndexError, TypeError):
        return []
got = [c for data in loaded for c in cells_of(data)]
check(len(want) == 16 and sorted(got) == sorted(want) and len(set(got)) == len(got),
      f"the two jobs' cells are the quick matrix's {len(want)}, each once ({len(got)} in the jobs)")
shards = json.load(open(f"{jobs}/shards.json"))["shards"] if loaded[0] else []
check(shards == [cells_of(d) for d in loaded] and all(shards),
      "shards.json says which job runs which cells, none empty")
broken = copy.deepcopy(loaded[0])
if broken:
    del broken["actions"][0]["deploy"]["to"]
check(broken and valid(broken) is not None, "a job whose deploy has no 'to' does not validate")
try:
    validate_testdef(yaml.safe_load(open(f"{repo}/tools/lab/sgscope-bench.yaml")))
    err = None
except (voluptuous.Invalid, OSError) as e:
    err = str(e)
check(err is None, f"tools/lab/sgscope-bench.yaml validates as a LAVA test definition{f' ({err})' if err else ''}")
PY

samples="$repo/results/baseline-quick/samples.jsonl"
"$repo/tools/lab/lava-samples" "$samples" >"$tmp/cases"
/usr/bin/python3 - "$samples" "$tmp/cases" <<'PY'
import json, re, sys
samples = [json.loads(l) for l in open(sys.argv[1])]
cases = [l.split() for l in open(sys.argv[2])]
ok = len(samples) > 0 and len(cases) == len(samples) and all(
    len(c) == 3 and re.fullmatch(r"[-_a-zA-Z0-9.]+", c[0]) and float(c[1]) == s["value"] and c[2] == s["unit"]
    for c, s in zip(cases, samples))
names = {c[0] for c in cases}
print(("ok - " if ok and len(names) == len(cases) else "not ok - ") +
      f"lab: every sample is a LAVA test case, its own name, its value and unit ({len(cases)} of {len(samples)})")
PY

got=$(sh "$repo/tools/bench/guest-cells.sh" --plan direct 5 quick - 'pcm0/direct/256k/none,dummy/*/*/order1' | paste -sd' ')
expect "bench: a filter of comma-separated globs takes the cells of any" \
	"pcm0/direct/256k/none dummy/direct/64k/order1" "$got"
finish
