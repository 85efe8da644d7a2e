#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope inject's command line, then the fast subset of the fault matrix
# in the test machine (plain, --swiotlb, --iommu); make bench runs all of
# it.  The table lands in results/test/fault-matrix/matrix.md.
source "$(dirname "$0")/lib.sh"
# the guest scripts report blocks of their own
start_checks

S="$repo/build/sgscope/sgscope"
if [ ! -x "$S" ]; then
	fail "inject: build/sgscope/sgscope is built (make sgscope)"
	finish
fi
for bad in "" "--order 3 --all -- true" "--order 11 -- true" "--slab -d 1" \
	"--fragment 0 -d 1" "--order 1" "--order 1 -d 1 -- true" "--within f --order 1 -- true" \
	"--frobnicate -- true"; do
	# shellcheck disable=SC2086
	"$S" inject $bad >/dev/null 2>"$repo/results/inject-usage$variant.err"
	rc=$?
	grep -q '^usage: sgscope inject' "$repo/results/inject-usage$variant.err" && [ $rc = 2 ]
	expect "inject: a bad command line is refused with usage and exit 2 ('$bad')" 0 $?
done
rm -f "$repo/results/inject-usage$variant.err"

mkdir -p "$repo/results/test$variant"
"$vm" --console "$repo/results/test$variant/console-inject.log" --timeout 300 \
	-- sh "$repo/tools/tests/guest/inject-disarm.sh" || fail "inject: the disarm run completes"

"$repo/tools/tests/fault-matrix-run" fast "$repo/results/test$variant/fault-matrix" | tee "$repo/results/test$variant/fault-matrix.log"
grep -q '^not ok - ' "$repo/results/test$variant/fault-matrix.log" && failures=$((failures + 1))
finish
