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
start_checks

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

/usr/bin/python3 "$repo/tools/tests/checks.py" lab-jobs "$tmp/jobs" "$repo"

samples="$repo/results/baseline-quick/samples.jsonl"
"$repo/tools/lab/lava-samples" "$samples" >"$tmp/cases"
/usr/bin/python3 "$repo/tools/tests/checks.py" lab-cases "$samples" "$tmp/cases"

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
/usr/bin/python3 "$repo/tools/tests/checks.py" lab-run "$tmp/run" "$repo"
/usr/bin/python3 "$repo/tools/bench/kcidb-validate.py" "$tmp/run/kcidb.json"

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
/usr/bin/python3 "$repo/tools/tests/checks.py" lab-stock-run "$tmp/stock-run" \
	"$(cat "$("$repo/tools/stock-kernel" --print-dir debian-6.1)/abi")"

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
