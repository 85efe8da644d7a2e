#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real LAVA lab on this machine (tools/lab/local-lab: PostgreSQL,
# lava-server, its scheduler, a worker, two qemu devices), through `make
# lab`'s script: the quick matrix submitted as two jobs and collected into
# one run folder, against a plain quick run of the same commit; lavacli
# submitted both and sees them Complete.  Then the lab is stopped, leaves nothing
# running, starts again, refuses a bad token, and stops again.
source "$(dirname "$0")/lib.sh"
plan 20

state=${SGSCOPE_LAB_DIR:-/var/tmp/sgscope-lab}
out="$repo/results/test/lab-quick"
rm -rf "$out" "$out.xdg"
mkdir -p "$(dirname "$out")"
start=$(date +%s)
"$repo/tools/lab/lab-quick" "$out" >"$out.log" 2>&1
rc=$?
sed 's/^/# /' "$out.log"
echo "# make lab's flow: $(($(date +%s) - start)) s wall"
expect "lab-quick: the lab run, the plain run and their comparison pass" 0 $rc
grep -q '^\[lab .*\] lab up in [0-9]* s: http://127.0.0.1:' "$out.log"
expect "lab-quick: the lab came up (server, scheduler, worker with its devices)" 0 $?
/usr/bin/python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
def check(ok, name):
    print(("ok - " if ok else "not ok - ") + "lab-quick: " + name)
try:
    run = json.load(open(f"{out}/lab/run.json"))
    jobs = run["lab"]["jobs"]
except (OSError, ValueError, KeyError):
    run, jobs = {}, []
check(len(jobs) == 2 and all(j["health"] == "Complete" and "error" not in j for j in jobs)
      and {j["device"] for j in jobs} <= {"sgscope-qemu-01", "sgscope-qemu-02"},
      f"two jobs ran Complete on the lab's qemu devices ({[(j['job'], j['device'], j['health']) for j in jobs]})")
lab = run.get("lab", {})
check(lab.get("server", "").startswith("http://127.0.0.1:") and not lab.get("missing_cells", [1]),
      "run.json names the server; no cell is missing")
check(lab.get("submitted_with") == "lavacli -i sgscope-lab",
      f"the jobs were submitted with lavacli (run.json: {lab.get('submitted_with')})")
check(all(j["samples"] == j["lava_measurements"] > 0 for j in jobs),
      "every sample came back as a LAVA measurement")
try:
    md = open(f"{out}/lab-vs-plain.md").read()
except OSError:
    md = ""
check(re.search(r"^Cells: 16 in the lab run, 16 in the plain run, the same\.", md, re.M) is not None,
      "the lab run has the plain quick run's 16 cells")
m = re.search(r"^\| central \| (\d+) \| 1% \| 0 \| [0-9.]+% \| [0-9.]+% \| ([0-9.]+)% \|", md, re.M)
check(m is not None and int(m.group(1)) > 0,
      f"every central median (fault loop, histogram p50s) is within 1% of the plain run's "
      f"(max {m.group(2) if m else '?'}%)")
m = re.search(r"^\| tail \| (\d+) \| ([0-9.]+)% \| 0 \| [0-9.]+% \| [0-9.]+% \| ([0-9.]+)% \|", md, re.M)
check(m is not None and int(m.group(1)) > 0,
      f"every tail's median is within compare's {m.group(2) if m else '?'}% (max {m.group(3) if m else '?'}%)")
check(re.search(r"^\| counter \| \d+ \| the same \| 0 \| 0\.000% \| 0\.000% \| 0\.000% \|", md, re.M)
      is not None, "every counter is the same")
lone = re.search(r"^Series in one run only: (\d+)(, all of kind allocator or state)?", md, re.M)
check(re.search(r"^sgscope compare PLAIN LAB \(exit 0\)", md, re.M) is not None
      and re.search(r" 0 regressed, \d+ in one run only", md) is not None
      and lone is not None and (lone.group(1) == "0" or lone.group(2) is not None),
      "sgscope compare PLAIN LAB flags nothing, and finds every series in both but the "
      f"allocator's and the state's parts one run met ({lone.group(1) if lone else '?'})")
try:
    shows = open(f"{out}/lavacli.txt").read()
except OSError:
    shows = ""
ids = [str(j["job"]) for j in jobs]
check(len(ids) == 2 and len(re.findall(r"^health *: *Complete$", shows, re.M | re.I)) == 2
      and all(re.search(rf"^id *: *{i}$", shows, re.M) for i in ids),
      f"lavacli shows both jobs ({', '.join(ids)}) Complete on the server")
PY
/usr/bin/python3 "$repo/tools/bench/kcidb-validate.py" "$out/lab/kcidb.json" | grep -v '^1\.\.'

# stopped: nothing of the lab runs (the pid files' processes are gone)
left=""
for d in gunicorn scheduler worker; do
	[ -s "$state/$d.pid" ] && kill -0 "$(cat "$state/$d.pid")" 2>/dev/null && left+=" $d"
done
pgrep -f 'lava_server.wsgi|lava-scheduler|lava-worker --name sgscope-worker' >/dev/null && left+=" (a process by name)"
expect "local-lab stop: no daemon of the lab is left" "" "$left"
# a second start works, and stop again
"$repo/tools/lab/local-lab" start 2>&1 | sed 's/^/# /'
expect "local-lab: a second start works" 0 "${PIPESTATUS[0]}"
# the real server refusing a token
"$repo/build/sgscope/sgscope" lab submit --server "http://127.0.0.1:${SGSCOPE_LAB_PORT:-8460}" \
	--token not-a-token "$out/jobs" >/dev/null 2>"$out.err"
expect "lab submit: the lab's server refusing the token exits 1" 1 $?
grep -q 'refused the request (HTTP 40[13]): check --token' "$out.err"
expect "lab submit: ... and says to check the token" 0 $?
# ... and lavacli's identity with a token the server does not know
mkdir -p "$out.xdg"
sed 's/^\(  token:\).*/\1 not-a-token/' "$state/config/lavacli.yaml" >"$out.xdg/lavacli.yaml"
XDG_CONFIG_HOME=$out.xdg "$repo/build/sgscope/sgscope" lab submit --lavacli sgscope-lab "$out/jobs" \
	>/dev/null 2>"$out.err"
expect "lab submit --lavacli: the server refusing the identity's token exits 1" 1 $?
grep -q 'lavacli -i sgscope-lab could not submit .*job-1.yaml: .*check the identity' "$out.err" &&
	! grep -q not-a-token "$out.err"
expect "lab submit --lavacli: ... and says what lavacli said, without the token" 0 $?
sed 's/^/# /' "$out.err"
"$repo/tools/lab/local-lab" stop 2>&1 | sed 's/^/# /'
"$repo/tools/lab/local-lab" status | grep -q running
expect "local-lab: ... and a second stop leaves nothing running" 1 $?
finish
