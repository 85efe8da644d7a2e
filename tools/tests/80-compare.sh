#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope compare on synthetic runs: identical runs, one metric 20% worse
# with low noise, one 2% worse; report.py's unit tests; the KCIDB reports
# under results/ validate.
source "$(dirname "$0")/lib.sh"
start_checks

S="$repo/build/sgscope/sgscope"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the run folder's writers (ktap, KCIDB, report.md, report.html) and why's
# profile diff: Python
# unit tests, a block each
for t in report report_html why; do
	unit_tests "$repo/tools/bench/tests/test_$t.py" "$t.py"
done

# every KCIDB report the project keeps validates against the schema of
# the version it declares (none found is a failure too)
"$repo/tools/bench/kcidb-validate.py" $(git -C "$repo" ls-files 'results/*kcidb.json' | sed "s|^|$repo/|")
check $? "kcidb: the KCIDB reports under results/ validate, and there are some (kcidb-validate.py exits 0)"

# tools/tests/ktap-plans.py, which every suite's log goes through: blocks
# with their plan at the start and blocks with it at the end (# begin: ...
# # end: ... 1..N), nested in each other; a script dying half way, whose
# block is left open or short; no plan; a result outside every block
plans() { printf "$2" >"$tmp/plans.log"; "$repo/tools/tests/ktap-plans.py" t "$tmp/plans.log" >/dev/null; expect "$1" "$3" $?; }
plans "ktap-plans: a nested block and its parent's, each full, pass" '1..2\nok - a\n1..2\nok - b\nnot ok - c\nok - d\n' 0
plans "ktap-plans: a nested script that ends half way fails its parent" '1..2\nok - a\n1..3\nok - b\nok - d\n' 1
plans "ktap-plans: a log without a plan fails" 'ok - a\nok - b\n' 1
plans "ktap-plans: a result before the plan fails" 'ok - a\n1..1\nok - b\n' 1
plans "ktap-plans: a block with its plan at the end passes" '# begin: s\nok - a\nnot ok - b\n#   why\n# end: s\n1..2\n' 0
plans "ktap-plans: a block that never gets its plan at the end (a script that died) fails" \
	'# begin: s\nok - a\nok - b\n' 1
plans "ktap-plans: a plan at the end that does not count its block fails" '# begin: s\nok - a\n# end: s\n1..2\n' 1
plans "ktap-plans: blocks nested both ways, each full, pass" \
	'# begin: s\nok - a\n1..1\nok - u\n# begin: g\nok - b\n1..2\nok - c\nok - d\n# end: g\n1..1\nok - e\n# end: s\n1..2\n' 0
plans "ktap-plans: a nested script that dies, its parent going on, fails" \
	'# begin: s\nok - a\n# begin: g\nok - b\nok - c\n# end: s\n1..1\n' 1

# run DIR SHIFT_PCT: 12 iterations of three metrics in two cells; SHIFT
# moves pcm2's alloc_ns; noise is +-1%
run() {
	mkdir -p "$1"
	"$repo/tools/tests/checks.py" compare-run "$1" "$2"
}

run "$tmp/base" 0
run "$tmp/same" 0
run "$tmp/slow20" 20
run "$tmp/slow2" 2
run "$tmp/slow3" 3

"$S" compare "$tmp/base" "$tmp/same" >"$tmp/out" 2>&1
expect "compare: identical runs exit 0" 0 $?
contains "compare: identical runs: nothing regressed" "6 series compared, 0 regressed" "$(cat "$tmp/out")"
"$S" compare "$tmp/base" "$tmp/slow20" >"$tmp/out" 2>&1
expect "compare: 20% slower alloc_ns exits 1" 1 $?
flagged=$(grep REGRESSION "$tmp/out" | awk '{print $1, $2}')
expect "compare: only pcm2's alloc_ns is flagged" "pcm2/direct/256k/none alloc_ns" "$flagged"
[ -s "$tmp/slow20/compare.md" ] && grep -q '\*\*REGRESSION\*\*' "$tmp/slow20/compare.md"
expect "compare: compare.md marks it" 0 $?
"$repo/tools/tests/checks.py" compare-jsonl "$tmp/slow20" 6 "pcm2/direct/256k/none alloc_ns"
# the headline: one line per regression, its size, metric, cell and
# commit, with what the decision stood on
headline=$(grep ' regression of ' "$tmp/out")
expect "compare: one headline, for the flagged series" 1 "$(grep -c ' regression of ' "$tmp/out")"
[[ "$headline" =~ ^\+2[0-9]\.[0-9]%\ regression\ of\ alloc_ns\ in\ pcm2/direct/256k/none\ on\ .*p\ [0-9.e-]+,\ 12\ vs\ 12\ iterations ]]
check $? "compare: ... '+2N.N% regression of alloc_ns in pcm2/direct/256k/none on ..., p P, 12 vs 12 iterations'" \
	"$headline"
# the table shows the cells where a series moved, --all every series
rows=$(grep -c '^pcm[12]/' "$tmp/out")
expect "compare: the table lists the changed cell's series only (3 of 6)" 3 "$rows"
"$S" compare --all "$tmp/base" "$tmp/slow20" >"$tmp/out-all" 2>&1
expect "compare --all: exits 1 too" 1 $?
expect "compare --all: ... and lists all 6 series" 6 "$(grep -c '^pcm[12]/' "$tmp/out-all")"
grep -c '^| pcm[12]/' "$tmp/slow20/compare.md" | grep -qx 6
expect "compare: compare.md has every series" 0 $?
grep -q '^- \*\*+2[0-9.]*% regression of alloc_ns\*\* in `pcm2/direct/256k/none`' "$tmp/slow20/compare.md"
expect "compare: compare.md starts with the headline" 0 $?
"$S" compare --frobnicate "$tmp/base" "$tmp/slow20" >/dev/null 2>"$tmp/err"
expect "compare: an unknown option exits 2" 2 $?
grep -q '^usage: sgscope compare \[--all\] BASE NEW' "$tmp/err"
expect "compare: ... with usage on stderr" 0 $?
"$S" compare "$tmp/base" "$tmp/slow2" >"$tmp/out" 2>&1
expect "compare: 2% slower exits 0 (under the 5% bar)" 0 $?
contains "compare: ... headline: no regression" "no regression on an unknown commit against an unknown commit: 6 series compared" \
	"$(cat "$tmp/out")"
expect "compare: ... and no table, nothing moved" 0 "$(grep -c '^pcm[12]/' "$tmp/out")"
# a cell added to the matrix and one dropped: named, not compared, no verdict
cp -r "$tmp/same" "$tmp/moved"
sed -i 's#pcm1/direct/256k/none#pcm0/direct/1024k/none#' "$tmp/moved/samples.jsonl"
"$S" compare "$tmp/base" "$tmp/moved" >"$tmp/out" 2>&1
expect "compare: a cell in one run only does not fail it" 0 $?
contains "compare: ... names the cell only the base has" \
	"only in base: pcm1/direct/256k/none (3 series, not compared)" "$(cat "$tmp/out")"
contains "compare: ... and the cell only the new run has" \
	"only in new: pcm0/direct/1024k/none (3 series, not compared)" "$(cat "$tmp/out")"
contains "compare: ... and counts them" "3 series compared, 0 regressed, 6 in one run only" \
	"$(cat "$tmp/out")"
grep -q 'only in new: `pcm0/direct/1024k/none`' "$tmp/moved/compare.md"
expect "compare: compare.md lists them" 0 $?
# icount runs (run.json's clock): noise well under 1%, so the bar is lower
for r in base same slow3; do
	cp -r "$tmp/$r" "$tmp/ic-$r"
	rm -f "$tmp/ic-$r/compare"*
	echo '{"clock": "icount", "icount_shift": 0}' >"$tmp/ic-$r/run.json"
done
cat >"$tmp/ic-slow3/run.json" <<'EOF'
{"clock": "icount", "icount_shift": 0, "git_sha": "0123456789ab", "git_dirty": true,
 "git_subject": "driver: a slower allocation", "level": "quick", "iterations": 12,
 "knobs": {"page_delay_ns": "150", "vmalloc_page": "lookup"},
 "planted_costs": {"dma_direct_map_sg": 400, "__vmalloc_node_range_noprof": 90}}
EOF
"$S" compare "$tmp/ic-base" "$tmp/ic-slow3" >"$tmp/out" 2>&1
expect "compare icount: 3% slower exits 1 (over icount's bar)" 1 $?
contains "compare icount: the headline names the commit and its subject" \
	'alloc_ns in pcm2/direct/256k/none on 0123456789ab+dirty ("driver: a slower allocation") against an unknown commit' \
	"$(cat "$tmp/out")"
flagged=$(grep REGRESSION "$tmp/out" | awk '{print $1, $2}')
expect "compare icount: ... and only pcm2's alloc_ns is flagged" "pcm2/direct/256k/none alloc_ns" "$flagged"
contains "compare icount: the output names the clock" "clock: icount shift 0" "$(cat "$tmp/out")"
grep -qxF "BENCH_PAGE_DELAY_NS=150 build/sgscope/sgscope bench --quick --iterations 12 --filter 'pcm2/direct/256k/none' --cost dma_direct_map_sg=400 --cost __vmalloc_node_range_noprof=90 -o results/reproduce" \
	"$tmp/ic-slow3/compare.md" && grep -qx 'git checkout 0123456789ab .*' "$tmp/ic-slow3/compare.md"
expect "compare: compare.md has the commands that reproduce the regression, as the run was made" 0 $?
grep -q '^| central | p < 0.01 and the median' "$tmp/ic-slow3/compare.md"
expect "compare icount: compare.md gives each kind's threshold" 0 $?
grep -q 'Clock of both runs: \*\*icount shift 0' "$tmp/ic-slow3/compare.md"
expect "compare icount: compare.md names the clock" 0 $?
"$S" compare "$tmp/ic-base" "$tmp/ic-same" >"$tmp/out" 2>&1
expect "compare icount: identical runs exit 0" 0 $?
contains "compare icount: the spread of the medians is printed" "central       2 series  p50 0.00%" "$(cat "$tmp/out")"
"$S" compare "$tmp/base" "$tmp/ic-same" >/dev/null 2>"$tmp/err"
expect "compare: a wall-clock run against an icount run exits 2" 2 $?
contains "compare: ... saying the clocks differ" "not comparable" "$(cat "$tmp/err")"
echo '{"clock": "icount", "icount_shift": 3}' >"$tmp/ic-same/run.json"
"$S" compare "$tmp/ic-base" "$tmp/ic-same" >/dev/null 2>"$tmp/err"
expect "compare: icount runs of different shifts exit 2" 2 $?
echo '{"clock": "sundial"}' >"$tmp/ic-same/run.json"
"$S" compare "$tmp/ic-base" "$tmp/ic-same" >/dev/null 2>"$tmp/err"
expect "compare: an unknown clock in run.json exits 2" 2 $?
"$S" compare "$tmp/base" >/dev/null 2>"$tmp/err"
expect "compare: one argument is a usage error (exit 2)" 2 $?
"$S" compare "$tmp/base" "$tmp/nothere" >/dev/null 2>"$tmp/err"
expect "compare: a missing run exits 2" 2 $?
contains "compare: ... naming the file" "nothere/samples.jsonl" "$(cat "$tmp/err")"

# report.html of a real source change (results/20261204-source-change, a
# kernel built with planted.diff, compared with its reference): in
# Chromium, every figure drawn, and the change compare printed is the
# one the page's table shows
cp -r "$repo/results/20261204-source-change" "$tmp/sc"
"$S" compare "$tmp/sc/reference" "$tmp/sc/changed" >"$tmp/sc.txt" 2>&1
expect "compare: the source change regresses (exit 1)" 1 $?
"$repo/tools/bench/report_html.py" "$tmp/sc/changed" | sed 's/^/# /'
worst=$(grep REGRESSION "$tmp/sc.txt" | awk '{print $1, $2, $5}' |
	sort -k3,3 -g -r | head -1)
read -r cell metric change <<<"$worst"
[ -n "$cell" ]
check $? "compare: the source change has a regression to look for in the page ($worst)"
mkdir -p "$repo/results/test"
"$repo/tools/tests/browser-check.py" "$tmp/sc/changed/report.html" "$repo/results/test/compare-report.png" \
	--figures 2 --value "$cell|$metric" change "$change"
check $? "compare: report.html of the source change passes the browser check"
grep -Eq '(src|href)="?https?:' "$tmp/sc/changed/report.html"
expect "compare: report.html fetches nothing" 1 $?
finish
