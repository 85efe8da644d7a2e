#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope lab: LAVA job definitions sharding the quick matrix over two
# devices, checked with LAVA's own schemas (lava-common): the jobs, a job
# broken on purpose, the test definition they run; the shards partition
# the benchmark's cell list; the samples become LAVA test cases.  Then
# through LAVA's dispatcher (lava-run, no server) on the qemu device of
# tools/lab/devices: the quick jobs validate; two one-cell jobs run, one
# of them crashing its test on purpose, and `sgscope lab run` collects
# them; a job on Debian's 6.1 with the module built for it; a job whose
# kernel does not boot; a server that is not there.
source "$(dirname "$0")/lib.sh"
plan 46

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

# Through lava-run, on tools/lab/devices/sgscope-qemu.jinja2
"$repo/tools/lab/artifacts" "$tmp/art" 2>&1 | sed 's/^/# /'
expect "lab: the deployables are built (kernel, modules, ramdisk, CLI)" 0 "${PIPESTATUS[0]}"
a=file://$tmp/art
clock=$("$repo/tools/vm" --clock-args | sed -n 's/.*-icount shift=\([0-9]*\).*/icount:\1/p')
# the device dictionary runs QEMU with tools/vm's clock switches
grep -qF -- "'$("$repo/tools/vm" --clock-args)'" "$repo/tools/lab/devices/sgscope-qemu.jinja2"
expect "lab: the qemu device's clock switches are tools/vm's" 0 $?
"$S" lab jobs --quick --devices 2 --clock "$clock" --kernel "$a/bzImage" --ramdisk "$a/ramdisk.cpio.gz" \
	--modules "$a/modules.tar.gz" --cli "$a/cli.tar.gz" --repository "$repo" -o "$tmp/quick" >/dev/null
"$S" lab run --validate -o "$tmp/quick-v" "$tmp/quick" 2>&1 | sed 's/^/# /'
expect "lab run --validate: lava-run validates both quick jobs" 0 "${PIPESTATUS[0]}"

# two one-cell jobs; the second one's test crashes (its bench gets a
# filter that matches nothing and exits 2)
cells='pcm1/direct/256k/none,dummy/direct/64k/none'
"$S" lab jobs --devices 2 --iterations 2 --filter "$cells" --clock "$clock" --timeout 30 \
	--kernel "$a/bzImage" --ramdisk "$a/ramdisk.cpio.gz" --modules "$a/modules.tar.gz" \
	--cli "$a/cli.tar.gz" --repository "$repo" -o "$tmp/two" >/dev/null
sed -i 's|CELLS: dummy/direct/64k/none|CELLS: nosuch/cell|' "$tmp/two/job-2.yaml"
start=$(date +%s)
"$S" lab run -o "$tmp/run" "$tmp/two" >"$tmp/run.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/run.log"
echo "# lab run: $(($(date +%s) - start)) s wall"
expect "lab run: a run with a crashed job exits 1" 1 $rc
/usr/bin/python3 - "$tmp/run" "$repo" <<'PY'
import json, subprocess, sys
run_dir, repo = sys.argv[1], sys.argv[2]
def check(ok, name):
    print(("ok - " if ok else "not ok - ") + "lab run: " + name)
try:
    run = json.load(open(f"{run_dir}/run.json"))
    samples = [json.loads(l) for l in open(f"{run_dir}/samples.jsonl")]
    kcidb = json.load(open(f"{run_dir}/kcidb.json"))
except (OSError, ValueError) as e:
    run, samples, kcidb = {"lab": {"jobs": [], "missing_cells": []}}, [], {"tests": []}
    print(f"# {e}")
jobs = run["lab"]["jobs"]
j1 = jobs[0] if jobs else {}
check(j1.get("health") == "Complete" and "error" not in j1,
      f"job 1 completed on the qemu device ({j1.get('health')}, {j1.get('error', 'no error')})")
check(len(samples) > 0 and {s["cell"] for s in samples} == {"pcm1/direct/256k/none"}
      and {s["iteration"] for s in samples} == {1, 2},
      f"job 1's samples came back into samples.jsonl: its cell, 2 iterations ({len(samples)} samples)")
check(j1.get("lava_measurements") == len(samples) > 0,
      f"every sample is a LAVA measurement with the same value and unit ({j1.get('lava_measurements')} of {len(samples)})")
metrics = {s["metric"] for s in samples}
check({"alloc_ns", "fault_round_ns", "chunks", "xruns"} <= metrics, f"the cell's metrics are there ({sorted(metrics)})")
check(run.get("clock") == "icount" and run.get("icount_shift") == 3 and run.get("kernel", "").startswith("6.12"),
      f"run.json: the device's kernel and clock ({run.get('kernel')}, {run.get('clock')} {run.get('icount_shift')})")
miss = run["lab"]["missing_cells"]
check([m["cell"] for m in miss] == ["dummy/direct/64k/none"] and len(jobs) == 2 and "error" in jobs[1],
      f"the crashed job's cell is missing, with its job's error ({jobs[1].get('error') if len(jobs) > 1 else None})")
err = [t for t in kcidb["tests"] if t["status"] == "ERROR"]
check(len(err) == 1 and err[0]["path"] == "sgscope.dummy.direct.64k.none" and err[0]["misc"].get("lava_job") == 2,
      "kcidb.json: the missing cell is an ERROR test naming its LAVA job")
done = [t for t in kcidb["tests"] if t["status"] == "DONE"]
check(len(done) == len({(s["cell"], s["metric"]) for s in samples}) > 0, "kcidb.json: every series of job 1 is DONE")
ktap = open(f"{run_dir}/ktap.txt").read() if samples else ""
check("not ok" in ktap and "dummy/direct/64k/none # LAVA job 2" in ktap, "ktap.txt: the missing cell is not ok")
check("## Lab" in (open(f"{run_dir}/report.md").read() if samples else ""), "report.md has the lab's jobs")
PY
/usr/bin/python3 "$repo/tools/bench/kcidb-validate.py" "$tmp/run/kcidb.json" | grep -v '^1\.\.'

# Debian's own 6.1, the module built for it (artifacts --stock), on the
# one-vCPU qemu device
"$repo/tools/stock-kernel" debian-6.1 >/dev/null
"$repo/tools/lab/artifacts" --stock debian-6.1 "$tmp/stock-art" 2>&1 | sed 's/^/# /'
expect "lab: the deployables for Debian's 6.1 are built (snd-sgscope built for it)" 0 "${PIPESTATUS[0]}"
b=file://$tmp/stock-art
"$S" lab jobs --devices 1 --iterations 1 --filter 'pcm2-lookup/direct/256k/none' --clock "$clock" --timeout 30 \
	--kernel "$b/bzImage" --ramdisk "$b/ramdisk.cpio.gz" --modules "$b/modules.tar.gz" --cli "$b/cli.tar.gz" \
	--repository "$repo" -o "$tmp/stock" >/dev/null
"$S" lab run --device "$repo/tools/lab/devices/sgscope-qemu-stock.jinja2" -o "$tmp/stock-run" "$tmp/stock" 2>&1 |
	sed 's/^/# /'
expect "lab run: a job on Debian's 6.1 kernel completes with every cell" 0 "${PIPESTATUS[0]}"
/usr/bin/python3 - "$tmp/stock-run" "$(cat "$("$repo/tools/stock-kernel" --print-dir debian-6.1)/abi")" <<'PY'
import json, sys
try:
    run = json.load(open(f"{sys.argv[1]}/run.json"))
    samples = [json.loads(l) for l in open(f"{sys.argv[1]}/samples.jsonl")]
except (OSError, ValueError):
    run, samples = {"lab": {"jobs": [{}]}}, []
j = run["lab"]["jobs"][0]
ok = run.get("kernel") == sys.argv[2] and len(samples) > 0 and j.get("lava_measurements") == len(samples)
print(("ok - " if ok else "not ok - ") + f"lab run: ... on {run.get('kernel')}, its {len(samples)} samples "
      f"back as LAVA measurements ({j.get('lava_measurements')})")
PY

# a kernel that does not boot (the modules' archive in its place)
"$S" lab jobs --devices 1 --filter 'pcm0/direct/256k/none' --clock "$clock" --kernel "$a/modules.tar.gz" \
	--ramdisk "$a/ramdisk.cpio.gz" --cli "$a/cli.tar.gz" --repository "$repo" -o "$tmp/noboot" >/dev/null
"$S" lab run -o "$tmp/noboot-run" "$tmp/noboot" >"$tmp/noboot.log" 2>&1
expect "lab run: a job whose kernel does not boot exits 1" 1 $?
grep -q '"status": "ERROR"' "$tmp/noboot-run/kcidb.json" && grep -q 'Incomplete' "$tmp/noboot-run/ktap.txt"
expect "lab run: ... its cell is an ERROR test, the job Incomplete" 0 $?

# a device that boots but never shows the prompt the job waits for: the
# boot timeout (1 minute)
"$S" lab jobs --devices 1 --filter 'pcm0/direct/256k/none' --clock "$clock" --kernel "$a/bzImage" \
	--ramdisk "$a/ramdisk.cpio.gz" --cli "$a/cli.tar.gz" --repository "$repo" --boot-timeout 1 \
	--prompt 'no-such-prompt# ' -o "$tmp/hang" >/dev/null
"$S" lab run -o "$tmp/hang-run" "$tmp/hang" >"$tmp/hang.log" 2>&1
expect "lab run: a device that never reaches its prompt exits 1" 1 $?
grep -q '"status": "ERROR"' "$tmp/hang-run/kcidb.json" && grep -q 'timed out' "$tmp/hang-run/ktap.txt"
expect "lab run: ... after the boot timeout, its cell an ERROR test saying so" 0 $?
"$S" lab jobs --boot-timeout 0 -o "$tmp/none" >/dev/null 2>&1
expect "lab jobs: --boot-timeout 0 exits 2" 2 $?

# a server that is not there; a token it refuses (a stand-in answering 401)
"$S" lab submit --server http://127.0.0.1:9 --token x "$tmp/two" >/dev/null 2>"$tmp/err"
expect "lab submit: an unreachable server exits 1" 1 $?
grep -q 'cannot reach the LAVA server at http://127.0.0.1:9' "$tmp/err"
expect "lab submit: ... and says it cannot reach it" 0 $?
/usr/bin/python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(401); self.end_headers(); self.wfile.write(b"{\"detail\": \"Invalid token.\"}")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' >"$tmp/port" &
stub=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
"$S" lab submit --server "http://127.0.0.1:$(cat "$tmp/port")" --token bad "$tmp/two" >/dev/null 2>"$tmp/err"
expect "lab submit: a refused token exits 1" 1 $?
grep -q 'refused the request (HTTP 401): check --token' "$tmp/err"
expect "lab submit: ... and says to check the token" 0 $?
kill $stub
# lavacli: an identity its lavacli.yaml does not have; neither way given
mkdir -p "$tmp/xdg"
XDG_CONFIG_HOME=$tmp/xdg "$S" lab submit --lavacli nobody "$tmp/two" >/dev/null 2>"$tmp/err"
expect "lab submit --lavacli: an unknown identity exits 1" 1 $?
grep -q 'lavacli -i nobody could not submit .*job-1.yaml' "$tmp/err" && [ ! -e "$tmp/two/submitted.json" ]
expect "lab submit --lavacli: ... says so, and records no submission" 0 $?
"$S" lab submit "$tmp/two" >/dev/null 2>"$tmp/err"
expect "lab submit: neither --server nor --lavacli exits 2" 2 $?
"$S" lab run -o "$tmp/x" "$tmp/nosuch" >/dev/null 2>"$tmp/err"
expect "lab run: a folder without jobs exits 1" 1 $?
grep -q 'has no shards.json' "$tmp/err"
expect "lab run: ... and says what is missing" 0 $?
finish
