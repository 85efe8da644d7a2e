#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope bisect on a scripted history: a clone of this tree with eight
# commits on top, one of which makes pcm2's .page look its page up twice
# (work added to a measured path); the others touch docs, tools the cells
# do not run, and a comment in the driver.  bisect must name that commit,
# confirm it, stay within log2(8) + 4 bench runs, and say "nothing to
# bisect" between two commits that do not differ.
source "$(dirname "$0")/lib.sh"
start_checks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=$repo/build/sgscope/sgscope

"$S" bisect --good HEAD >/dev/null 2>"$tmp/err"
expect "bisect: --good without --bad is a usage error (exit 2)" 2 $?
contains "bisect: ... saying both are needed" "both --good and --bad are needed" "$(cat "$tmp/err")"
"$S" bisect --good HEAD --bad HEAD~1 >/dev/null 2>"$tmp/err"
expect "bisect: a GOOD that is not BAD's ancestor exits 2" 2 $?
contains "bisect: ... saying so" "is not an ancestor of BAD" "$(cat "$tmp/err")"

# the scripted history
hist=$tmp/hist
git clone -q "$repo" "$hist"
git -C "$hist" config user.email bisect@sgscope.test
git -C "$hist" config user.name "sgscope bisect test"
step() { # FILE MESSAGE: a line appended to FILE (a comment in C), committed
	if [[ "$1" == *.c ]]; then
		printf '/* %s */\n' "$2" >>"$hist/$1"
	else
		printf '\n%s\n' "$2" >>"$hist/$1"
	fi
	git -C "$hist" commit -qam "$2"
}
step docs/benchmark.md "docs: a line for the bisect test"
step tools/soak/report.py "# soak: a comment the cells never run"
step docs/driver.md "docs: another line"
step driver/sgscope_pcm.c "driver: a comment only"
# the culprit: pcm2's .page in lookup mode walks the page tables twice
python3 - "$hist/driver/sgscope_buffer.c" <<'PY'
import sys
path = sys.argv[1]
src = open(path).read()
old = "\treturn vmalloc_to_page(st->dmab.area + offset);\n}\nEXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_vmalloc_page);"
assert old in src, "sgscope_vmalloc_page's lookup is not where the test looks"
new = ("\tif (!vmalloc_to_page(st->dmab.area + offset))\n\t\treturn NULL;\n" + old)
open(path, "w").write(src.replace(old, new))
PY
git -C "$hist" commit -qam "driver: check the page before looking it up"
culprit=$(git -C "$hist" rev-parse HEAD)
step README.md "a README line"
step tools/tests/12-code.sh "# a comment in a suite"
step docs/cli.md "docs: a last line"
good=$(git -C "$hist" rev-parse HEAD~8)

start=$SECONDS
"$S" bisect -C "$hist" --good "$good" --bad HEAD -o "$tmp/out" >"$tmp/bisect.log" 2>&1
rc=$?
secs=$((SECONDS - start))
sed 's/^/# /' "$tmp/bisect.log"
expect "bisect: the scripted history's culprit is found and confirmed (exit 0)" 0 $rc
contains "bisect: bisect.md names the culprit, confirmed" "**Culprit, confirmed: $culprit" \
	"$(cat "$tmp/out/bisect.md" 2>/dev/null)"
runs=$(sed -n 's/^\[bisect\] \([0-9]*\) bench runs .*/\1/p' "$tmp/bisect.log")
[ -n "$runs" ] && [ "$runs" -le 7 ]
check $? "bisect: at most log2(8) + 4 = 7 bench runs (${runs:-none}; $secs s of wall time)"
grep -q ' regression of [a-z0-9_]* in pcm2-lookup/direct/256k/none on ' "$tmp/out/bisect.md"
expect "bisect: ... with the headline of the culprit against its parent" 0 $?
ls "$tmp"/out/runs/*-culprit-again-*/report.html >/dev/null 2>&1
expect "bisect: ... and its report.html" 0 $?
issues=$(jq -r '[.issues[]?.id] | join(" ")' "$tmp"/out/runs/*-culprit-again-*/kcidb.json 2>/dev/null)
contains "bisect: ... and a KCIDB issue for the culprit's regression" "sgscope:regression:pcm2-lookup/direct/256k/none:" "$issues"
grep -q '"driver": ".*snd-sgscope-oot.ko"' "$tmp"/out/runs/*-culprit-again-*/run.json
expect "bisect: the runs measured the commit's driver, built as a module" 0 $?
grep -q "\"git_commit\": \"$culprit\"" "$tmp"/out/runs/*-culprit-again-*/run.json
expect "bisect: ... and run.json names the commit measured" 0 $?

# why: the profile diff of the culprit's build against its parent's names
# the function the culprit calls twice
first=$(jq -r '.functions[0].function' "$tmp"/out/runs/*-culprit-again-*/why/why.json 2>/dev/null)
expect "bisect: why names the function the culprit calls twice first" vmalloc_to_page "$first"
grep -q '^## Why' "$tmp/out/bisect.md"
expect "bisect: ... in bisect.md" 0 $?

# why_gaps DIR: each traced repetition's two longest stretches with no
# event, and the event before each (what the own times hold)
why_gaps() {
	python3 - "$1" <<'PY'
import glob, re, sys
for name in sorted(glob.glob(f"{sys.argv[1]}/*/trace-*.txt")):
    events = [(float(m.group(1)), line.strip()) for line in open(name)
              if (m := re.search(r"\]\s+([\d.]+): funcgraph", line))]
    gaps = sorted(((b[0] - a[0], a[1]) for a, b in zip(events, events[1:])), reverse=True)[:2]
    print(name.split("/why/")[-1] + ": " + "; ".join(f"{g * 1e6:.0f} us after {e[-70:]}" for g, e in gaps))
PY
}

# tools/bench/why on two runs that differ by what bench plants: a cost at
# vmalloc's entry (sgscope bench --cost), and a delay in pcm2's .page
# (debugfs page_delay_ns); the runs' numbers do not matter, only their
# setups (run.json).  The cost, 100,000 iterations (about 0.9 ms of guest
# time a call), stands well above the traces' noise: twice in CI another
# function's own time moved by more than a cost of 20,000 did (0.18 ms),
# once in single repetitions, once past the least of three (its cause is
# not known yet; the check prints what moved)
mkdir -p "$tmp/w/base" "$tmp/w/cost" "$tmp/w/delay"
echo '{"clock": "icount", "knobs": {"page_delay_ns": "0"}}' >"$tmp/w/base/run.json"
echo '{"clock": "icount", "planted_costs": {"__vmalloc_node_range_noprof": 100000}}' >"$tmp/w/cost/run.json"
echo '{"clock": "icount", "knobs": {"page_delay_ns": "3000"}}' >"$tmp/w/delay/run.json"
"$repo/tools/bench/why" "$tmp/w/base" "$tmp/w/cost" --cell pcm2-lookup/direct/256k/none --metric alloc_ns \
	>"$tmp/w/cost.log" 2>&1
expect "why: the planted allocation cost's run is traced (exit 0)" 0 $? || tail -3 "$tmp/w/cost.log" | sed 's/^/#   /'
expect "why: ... and its profile diff names the planted function first" __vmalloc_node_range_noprof \
	"$(jq -r '.functions[0].function' "$tmp/w/cost/why/why.json" 2>/dev/null)" ||
	# what moved instead, and where each repetition's time went
	{ grep -E '^\| `' "$tmp/w/cost/why/why.md" | head -4; why_gaps "$tmp/w/cost/why"; } | sed 's/^/#   /'
"$repo/tools/bench/why" "$tmp/w/base" "$tmp/w/delay" --cell pcm2-lookup/direct/256k/none --metric pageop_p50_ns \
	>"$tmp/w/delay.log" 2>&1
expect "why: the planted .page delay's run is traced (exit 0)" 0 $? || tail -3 "$tmp/w/delay.log" | sed 's/^/#   /'
contains "why: ... and the function named first is under pcm2's .page op" sgscope_pcm_vmalloc_page \
	"$(jq -r '.top_path | join(" ")' "$tmp/w/delay/why/why.json" 2>/dev/null)"
"$repo/tools/bench/why" "$tmp/w/base" "$tmp/w/delay" --cell pcm2-lookup/direct/256k/none --metric xruns \
	>/dev/null 2>"$tmp/w/err"
expect "why: a metric with no traced path exits 2" 2 $?

# the build each run is traced with (--builds): a run of a commit whose
# driver is not the work tree's gets that commit's, built from its own
# sources (tools/bench/build-at), also when the uncommitted changes it
# ran with were not in driver/; one of the work tree's driver, the driver
# built in; uncommitted changes to another driver cannot be rebuilt
old=$(git -C "$repo" rev-parse "$(git -C "$repo" rev-list -1 HEAD -- driver)~1")
head=$(git -C "$repo" rev-parse HEAD)
mkdir -p "$tmp/b/old" "$tmp/b/head" "$tmp/b/dirty"
echo "{\"git_commit\": \"$old\", \"git_dirty\": false}" >"$tmp/b/old/run.json"
echo "{\"git_commit\": \"$head\", \"git_dirty\": false}" >"$tmp/b/head/run.json"
echo "{\"git_commit\": \"$old\", \"git_dirty\": true, \"git_driver_dirty\": true}" >"$tmp/b/dirty/run.json"
builds=$("$repo/tools/bench/why" "$tmp/b/old" "$tmp/b/head" --cell pcm2-lookup/direct/256k/none \
	--metric alloc_ns -o "$tmp/b/why" --builds 2>&1)
ko=$(sed -n 's/^base: \([^ ]*\) .*/\1/p' <<<"$builds")
[[ "$ko" == "$HOME/.cache/sgscope/bisect/driver-$(git -C "$repo" rev-parse "$old:driver")-"*/snd-sgscope-oot.ko ]] &&
	[ -f "$ko" ]
expect "why --builds: a run of an older commit's driver is traced with that driver, built (${ko:-$builds})" 0 $?
want="new: built-in"
git -C "$repo" diff --quiet HEAD -- driver || want="new: $HOME/.cache/sgscope/bisect/driver-"
contains "why --builds: a run of the work tree's driver is traced with the driver built in" "$want" "$builds"
"$repo/tools/bench/why" "$tmp/b/dirty" "$tmp/b/head" --cell pcm2-lookup/direct/256k/none \
	--metric alloc_ns -o "$tmp/b/why" --builds >/dev/null 2>"$tmp/err"
expect "why --builds: a run of uncommitted changes to another driver exits 2" 2 $?
contains "why --builds: ... saying its driver cannot be rebuilt" "cannot be rebuilt" "$(cat "$tmp/err")"
echo "{\"git_commit\": \"$old\", \"git_dirty\": true, \"git_driver_dirty\": false}" >"$tmp/b/dirty/run.json"
builds=$("$repo/tools/bench/why" "$tmp/b/dirty" "$tmp/b/head" --cell pcm2-lookup/direct/256k/none \
	--metric alloc_ns -o "$tmp/b/why" --builds 2>&1)
contains "why --builds: a run of uncommitted changes elsewhere gets its commit's driver" "base: $ko " "$builds"

# between two commits that change nothing the cells run
"$S" bisect -C "$hist" --good "$good" --bad "$good~0" >/dev/null 2>"$tmp/err"
expect "bisect: GOOD equal to BAD exits 2" 2 $?
"$S" bisect -C "$hist" --good "$good" --bad HEAD~5 -o "$tmp/none" >"$tmp/none.log" 2>&1
expect "bisect: commits that change no measured path exit 0" 0 $?
contains "bisect: ... saying there is nothing to bisect" "nothing to bisect" "$(cat "$tmp/none.log")"
finish
