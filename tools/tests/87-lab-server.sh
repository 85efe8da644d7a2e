#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real LAVA lab on this machine (tools/lab/local-lab: PostgreSQL,
# lava-server, its scheduler, a worker, two qemu devices), through `make
# lab`'s script: the quick matrix submitted as two jobs and collected into
# one run folder, against a plain quick run of the same commit; lavacli
# submitted both and sees them Complete.  Then the lab is stopped, leaves nothing
# running, starts again, refuses a bad token, and stops again.
source "$(dirname "$0")/lib.sh"
start_checks

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
/usr/bin/python3 "$repo/tools/tests/checks.py" lab-quick "$out"
/usr/bin/python3 "$repo/tools/bench/kcidb-validate.py" "$out/lab/kcidb.json"

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
