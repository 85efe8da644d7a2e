#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The soak's stream checker (tools/soak/soak-stream, which follows every
# card's playback in make soak): on a stream with known damage it must
# find each break at its offset, and on an undamaged one none.  Then the
# soak itself in the test machine: clean, and with planted defects.
source "$(dirname "$0")/lib.sh"
start_checks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the checker: a stream with one corrupted frame, a gap of 100 frames, 100
# frames of silence and a repeat of 200
gcc -O2 -Wall -Wextra -Werror -I"$repo/tools/soak" -o "$tmp/soak-stream" \
	"$repo/tools/soak/soak-stream.c" "$repo/tools/soak/soak_check.c"
check $? "soak: soak-stream builds" || finish
"$tmp/soak-stream" gen 5 | head -c 40000 | python3 -c '
import sys
d = bytearray(sys.stdin.buffer.read())
d[4000 * 4 + 1] ^= 0x10
d = d[:6000 * 4] + d[6100 * 4:]
d = d + bytes(400) + d[9000 * 4 - 800:9000 * 4]
sys.stdout.buffer.write(d)' | "$tmp/soak-stream" check >"$tmp/damaged.jsonl"
expect "soak: the checker finds each break at its offset" \
	"corrupt 4000 4005,gap 6000 6005,repeat 10000 10005" \
	"$(jq -r 'select(.break) | "\(.break) \(.offset) \(.expected)"' "$tmp/damaged.jsonl" | paste -sd,)"
expect "soak: ... and counts the silence and the frames" "10200 100 9105" \
	"$(jq -r 'select(.summary) | "\(.frames) \(.silent) \(.next)"' "$tmp/damaged.jsonl")"
"$tmp/soak-stream" gen | head -c 400000 | "$tmp/soak-stream" check >"$tmp/clean.jsonl"
expect "soak: an undamaged stream has no break" "100000 0 0 0 0" \
	"$(jq -r 'select(.summary) | "\(.frames) \(.gaps) \(.repeats) \(.corrupt) \(.foreign)"' "$tmp/clean.jsonl")"
# across the index's wrap (12.4 hours in: soak_pattern.h), where the
# fill and the check leave their fast paths: 6,000 frames from 3,000
# before it, a byte flipped before the wrap and one after it
"$tmp/soak-stream" gen $(((1 << 31) - 3000)) | head -c 24000 | python3 -c '
import sys
d = bytearray(sys.stdin.buffer.read())
for f in (2990, 3040):
    d[f * 4 + 1] ^= 0x10
sys.stdout.buffer.write(d)' | "$tmp/soak-stream" check >"$tmp/wrap.jsonl"
expect "soak: ... and across the index's wrap, with the frames and the full index counted" \
	"corrupt 2990 2147483638,corrupt 3040 2147483688,6000 2147486648 2" \
	"$(jq -r 'if .break then "\(.break) \(.offset) \(.expected)" else "\(.frames) \(.next) \(.corrupt)" end' \
		"$tmp/wrap.jsonl" | paste -sd,)"
"$tmp/soak-stream" frobnicate 2>/dev/null
expect "soak: soak-stream refuses a bad command with exit 2" 2 $?
# report.py's xrun verdicts, on made-up runs
unit_tests "$repo/tools/soak/test_report.py" soak-report.py
"$repo/tools/soak/run" -p 'leak_every:9:1000@0' "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses a plant on a card that is not there (exit 2)" 2 $?
contains "soak: ... saying what PLANTS takes" "PLANTS is KNOB:CARD:VALUE@SECONDS" "$(cat "$tmp/err")"
"$repo/tools/soak/run" -k ubuntu-24.04 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses a kernel tools/stock-kernel does not name (exit 2)" 2 $?
contains "soak: ... saying what KERNEL takes" "KERNEL is debian-VERSION[-rt]" "$(cat "$tmp/err")"
"$repo/tools/soak/run" -k debian-6.12 -T 8192,4096 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses -k with the trial (-T) (exit 2)" 2 $?
"$repo/tools/soak/run" -j 0 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses -j 0 (exit 2)" 2 $?
contains "soak: ... saying what MACHINES takes" "MACHINES is 1 to 8" "$(cat "$tmp/err")"
"$repo/tools/soak/run" -j 2 -T 8192,4096 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses -j with the trial (-T) (exit 2)" 2 $?
"$repo/tools/soak/run" -b -T 8192,4096 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses -b (the trials after a soak) with the trial (-T) (exit 2)" 2 $?
"$repo/tools/soak/run" -g 2 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses a gap between faults under 5 s (exit 2)" 2 $?
contains "soak: ... saying what GAP takes" "GAP is 5 to 3600 seconds" "$(cat "$tmp/err")"
"$repo/tools/soak/run" -j 4 -d 3m "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak: tools/soak/run refuses machines of under a minute each (exit 2)" 2 $?
contains "soak: ... saying so" "leaves each machine under a minute" "$(cat "$tmp/err")"

# The soak in the test machine (tools/soak/run), quiet (-q: pcm-soak's
# streams with no fault, restart or provoked xrun): a virtual hour on two
# machines at once (-j 2, half an hour each, as make soak runs), the four
# cards of each passing every check of its report, the memory trend's
# among them (its error shrinks with the run: a leak of a few kB an hour
# would fail it), the streams running the whole time, and combine.py's
# report summing both up.  Its wall time, from the line below, is in
# docs/soak.md
"$repo/tools/soak/run" -q -d 1h -s 3 -j 2 "$tmp/clean" >"$tmp/clean.log" 2>&1
expect "soak: a quiet virtual hour on two machines passes every check of the report (tools/soak/run exit)" 0 $? ||
	grep -E '^not ok' "$tmp/clean.log" | sed 's/^/#   /'
grep -E 'machines done' "$tmp/clean.log" | sed 's/^/# /'
counts=$(python3 - "$tmp/clean" <<'PY'
import glob, json, sys
out = sys.argv[1]
machines = sorted(glob.glob(f"{out}/machine-[0-9]"))
told = [json.loads(l) for m in machines for k in range(4) for l in open(f"{m}/soak-{k}.jsonl")
        if '"summary"' in l]
print(len(machines), len(told), min([t["frames"] for t in told] or [0]),
      min([sum(1 for l in open(f"{m}/memory.jsonl")) for m in machines] or [0]))
PY
)
read -r machines streams least samples <<<"$counts"
# 1800 s at 48 kHz less the boot's and the streams' start: 99% of it
[ "${machines:-0}" = 2 ] && [ "${streams:-0}" = 16 ] &&
	[ "${least:-0}" -ge $((1800 * 48000 * 99 / 100)) ] && [ "${samples:-0}" -ge 50 ]
check $? "soak: ... two machines, sixteen streams each ran its half hour, memory sampled every 30 s (machines, streams, least frames, least samples: $counts)"
# KTAP and KCIDB as a benchmark run's: a machine a subtest, a test per
# check, all passed
"$repo/tools/bench/kcidb-validate.py" "$tmp/clean/kcidb.json"
passed=$(grep -c '^ok - soak: machine-' "$tmp/clean.log")
expect "soak: ktap.txt and kcidb.json have a test per check of each machine, none failed" \
	"2 $passed 0 $passed 0" \
	"$(grep -c '^ok [0-9] machine-[0-9]' "$tmp/clean/ktap.txt") $(grep -c '^    ok [0-9]* ' "$tmp/clean/ktap.txt") \
$(grep -c 'not ok' "$tmp/clean/ktap.txt") \
$(jq '[.tests[] | select(.status == "PASS")] | length' "$tmp/clean/kcidb.json") \
$(jq '[.tests[] | select(.status != "PASS")] | length' "$tmp/clean/kcidb.json")"
[ "$passed" -ge 60 ]
check $? "soak: ... and the machines' checks are all there ($passed)"

# The schedule's faults: 5 minutes with every fault kind (seed 9's
# schedule has an unbind, a module reload, a suspend and a memory load),
# the soak in its chroot, its outputs handed back on the guest's output;
# every check of the report passes but the memory trend, and the
# applications were told of the suspend (-ESTRPIPE) and of the reload (the
# device gone).  The trend is left out here: 24 samples in 4 minutes
# around a module reload and a memory load once read +2.0 +- 0.5 MB an
# hour and failed, where a virtual hour with 13 reloads passes it; the
# quiet and planted soaks below check it
"$repo/tools/soak/run" -d 5m -s 9 "$tmp/faults" >"$tmp/faults.log" 2>&1
grep -E '^not ok' "$tmp/faults.log" | sed 's/^/#   /'
expect "soak faults: 5 minutes of faults pass every check of the report but the memory trend" "" \
	"$(grep -E '^not ok' "$tmp/faults.log" | grep -v '^not ok - soak: memory: what no counter names')"
[ -s "$tmp/faults/report.md" ] && grep -qE '^(not )?ok - soak: memory: ' "$tmp/faults.log"
check $? "soak faults: ... the report was written, the memory trend in it"
told=$(grep -E '^\| (suspend|reload|unbind) ' "$tmp/faults/report.md" | awk -F'|' '{gsub(/ /, "", $2); gsub(/^ | $/, "", $5); print $2 ": " $5}' | sort | paste -sd';')
echo "# soak faults: told: $told"
[[ "$told" =~ suspend:\ [1-9][0-9]*\ suspend ]]
check $? "soak faults: the applications were told of the suspend"
[[ "$told" =~ reload:\ [1-9][0-9]*\ gone ]]
check $? "soak faults: ... and of the reload (the device gone)"
expect "soak faults: ... the outputs of all four cards came back from the chroot" 4 \
	"$(ls "$tmp"/faults/soak-[0-3].jsonl 2>/dev/null | wc -l)"
# the restarts' shapes, drawn as pcm-fuzz draws its rounds
# (tools/tests/pcm-random.h): many, read and written and mapped
shapes=$(cat "$tmp"/faults/soak-[0-3].jsonl 2>/dev/null |
	jq -r 'select(.event == "params") | "\(.period)/\(.buffer)/\(.access)"' | sort -u)
echo "# soak faults: $(grep -c . <<<"$shapes") shapes (period/buffer/access): $(paste -sd' ' <<<"$shapes" | cut -c1-300)"
[ "$(grep -c . <<<"$shapes")" -ge 8 ] && grep -q '/rw$' <<<"$shapes" && grep -q '/mmap$' <<<"$shapes"
check $? "soak faults: the restarts took random shapes (pcm-fuzz's generator), read and written and mapped"
# sgscope xrun ran beside the streams: the report's checks of its
# verdicts ran, and passed with the others
grep -q '^ok - soak: every xrun the applications were told of has sgscope xrun' "$tmp/faults.log" &&
	grep -q '^ok - soak: every provoked xrun is the application' "$tmp/faults.log"
check $? "soak faults: every xrun told has sgscope xrun's verdict, a provoked one the application's"

# The soak on a distribution's kernel (-k): Debian's 6.12, the sound core
# as modules, snd-sgscope built against its headers and its dependencies
# loaded first; seed 34's schedule reloads the module, suspends and loads
# memory in its 150 s.  What the kernel cannot do (kmemleak, inject
# --order without error injection) the report names, and the schedule
# leaves out; every other check passes (the memory trend aside, as above)
"$repo/tools/soak/run" -d 150s -s 34 -k debian-6.12 "$tmp/stock" >"$tmp/stock.log" 2>&1
grep -E '^not ok' "$tmp/stock.log" | sed 's/^/#   /'
[ -s "$tmp/stock/report.md" ] && [ -z "$(grep -E '^not ok' "$tmp/stock.log" |
	grep -v '^not ok - soak: memory: what no counter names')" ]
check $? "soak on Debian's 6.12: the report is written and passes every check but the memory trend"
expect "soak on Debian's 6.12: ... run on that kernel" \
	"$(cat "$("$repo/tools/stock-kernel" --print-dir debian-6.12)/build/include/config/kernel.release")" \
	"$(jq -r .kernel "$tmp/stock/run.json" 2>/dev/null)"
expect "soak on Debian's 6.12: ... its schedule reloaded the module and suspended" "memory reload suspend" \
	"$(jq -r .fault "$tmp/stock/faults.jsonl" 2>/dev/null | sort -u | paste -sd' ')"
absent=$(grep '^Not on this kernel' "$tmp/stock/report.md")
[[ "$absent" == *kmemleak* && "$absent" == *inject_order*CONFIG_FUNCTION_ERROR_INJECTION* ]]
check $? "soak on Debian's 6.12: ... the report names what the kernel cannot do (kmemleak, inject --order)" "$absent"

# Defects planted in the driver (debugfs plant_*), each found by the check
# made for it, and nothing else flagged, in a quiet soak (-q: no other
# fault, restart or provoked xrun, so that none can hide a plant or be
# taken for one): from the start a page leaked every 1,000 periods of
# card 0 (the memory trend), at 400 s one playback period of card 1
# silenced (the recording's check: a gap of one period), at 800 s one
# byte of card 2's capture flipped (the guest's capture check, at its
# offset)
"$repo/tools/soak/run" -q -d 20m -s 6 -p leak_every:0:1000@0,silence:1:1@400,corrupt:2:1@800 \
	"$tmp/planted" >"$tmp/planted.log" 2>&1
expect "soak planted: the report fails (tools/soak/run exit 1)" 1 $?
grep -E '^not ok' "$tmp/planted.log" | sed 's/^/# found: /'
failed=$(grep -E '^not ok' "$tmp/planted.log")
contains "soak planted: the leak is found from the memory trend" \
	"not ok - soak: memory: what no counter names" "$failed"
contains "soak planted: the silenced period is found in card 1's recording" \
	"not ok - soak: card 1: every playback break follows a fault the application was told of" "$failed"
contains "soak planted: the corrupted byte is found in card 2's capture, with its offset" \
	"not ok - soak: card 2: every capture break follows a fault the application was told of (" "$failed"
[[ "$failed" == *"1 not: corrupt at index "*" (offset "* ]]
check $? "soak planted: ... one corrupt frame, nothing else"
expect "soak planted: nothing else is flagged" 3 "$(grep -c . <<<"$failed")"
grep -q '^| plant_silence |  | 1 | ' "$tmp/planted/report.md"
expect "soak planted: report.md's table of faults has the silenced period" 0 $?
expect "soak planted: kcidb.json fails the same three tests" \
	"sgscope.soak.card1.playback.breaks sgscope.soak.card2.capture.breaks sgscope.soak.memory.flat" \
	"$(jq -r '.tests[] | select(.status == "FAIL") | .path' "$tmp/planted/kcidb.json" | sort | paste -sd' ')"
found=$(python3 - "$tmp/planted" <<'PY'
import json, sys
out = sys.argv[1]
last = [json.loads(l) for l in open(f"{out}/memory.jsonl")][-1]
periods = {json.loads(l)["period"] for l in open(f"{out}/soak-1.jsonl")
           if '"params"' in l and '"playback"' in l}
gaps = [json.loads(l) for l in open(f"{out}/play-1.jsonl") if '"gap"' in l]
# the silenced period: a gap of exactly one of the stream's periods
one = [g for g in gaps if g["got"] - g["expected"] in periods]
print(last.get("card0_planted_leaked_pages", 0), last.get("card1_planted_silenced_periods", 0),
      last.get("card2_planted_corrupted_bytes", 0), len(one))
PY
)
read -r leaked silenced corrupted period_gaps <<<"$found"
[ "${leaked:-0}" -gt 0 ] && [ "$silenced" = 1 ] && [ "$corrupted" = 1 ] && [ "${period_gaps:-0}" -ge 1 ]
check $? "soak planted: the driver planted them (pages leaked, periods silenced, bytes flipped, gaps of a period: $found)"

# The smallest-safe-buffer trial (tools/soak/run -T): buffers of 8192,
# 4096 and 1024 frames asked, 10 s of guest time each, all four strategies
# at once.  With nothing else happening every strategy runs clean at
# 8192; with every interrupt handler planted 5 ms late (slowirq) the
# 1024-frame step fails for every strategy with xruns the application was
# told of, so the trial can fail and names why.
"$repo/tools/soak/run" -T 8192,4096,1024 -d 10s "$tmp/trial-none" >"$tmp/trial-none.log" 2>&1
expect "soak trial: the trial runs and its report passes (tools/soak/run -T exit)" 0 $?
"$repo/tools/soak/run" -T 8192,4096,1024 -d 10s -C slowirq "$tmp/trial-slow" >"$tmp/trial-slow.log" 2>&1
expect "soak trial: ... under slowirq too" 0 $?
verdicts=$(for t in none slow; do
	jq -r --arg t "$t" '.steps | to_entries[] | "\($t) \(.key) \(.value[0].clean) \(.value[-1].clean) \(.value[-1].why)"' \
		"$tmp/trial-$t/trial.json" 2>/dev/null
done)
sed 's/^/# trial: /' <<<"$verdicts"
expect "soak trial: with no condition every strategy runs clean at 8192 frames" \
	"4" "$(grep -c '^none [a-z]* true ' <<<"$verdicts")"
expect "soak trial: with handlers 5 ms late every strategy fails at 1024 frames, told of xruns" \
	"4" "$(grep -cE '^slow [a-z]* (true|false) false .*[0-9]+ (playback|capture) xruns' <<<"$verdicts")"
"$repo/tools/soak/trial-report.py" --table "$tmp/trial-none" "$tmp/trial-slow" >"$tmp/table.md"
expect "soak trial: the table has a row per strategy and a column per trial" \
	"4 2" "$(tail -n +3 "$tmp/table.md" | grep -c '^| ') $(head -1 "$tmp/table.md" | awk -F'|' '{print NF - 3}')"
"$repo/tools/soak/run" -T 4096,8192 "$tmp/bad" >/dev/null 2>"$tmp/err"
expect "soak trial: sizes not largest first are refused (exit 2)" 2 $?
contains "soak trial: ... saying what SIZES takes" "SIZES is even frame counts, largest first" "$(cat "$tmp/err")"

finish
