#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The sgscope tracing CLI: its unit tests on the host, then pagelat,
# allocs and dmamap in the test machine, booted plain, with swiotlb=force
# and with intel-iommu.
source "$(dirname "$0")/lib.sh"
# the unit tests' exit, dmamap --pcm, the compatibility table; the unit
# tests and the guest runs print plans of their own
plan 3

kbuild=${KBUILD:-$cache/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"

# the unit tests' own lines, then their build and exit status: a compile
# error or a crash prints no "not ok" of its own
unit=$(make -s -C "$repo/tools/sgscope" OUT="$tmp/unit" unit-tests 2>&1)
rc=$?
grep -E '^(not )?ok - |^#|^1\.\.' <<<"$unit"
if [ "$rc" = 0 ] && grep -q '^ok - ' <<<"$unit"; then
	pass "unit: the unit tests build, run and exit 0"
else
	fail "unit: the unit tests build, run and exit 0 (exit $rc)" "$(tail -5 <<<"$unit")"
fi

if [ ! -x "$repo/build/sgscope/sgscope" ]; then
	fail "sgscope: build/sgscope/sgscope is built (make sgscope)"
	finish
fi
if ! gcc -O2 -Wall -Werror -o "$work/pcm-touch" "$repo/tools/tests/pcm-touch.c" -lasound; then
	fail "sgscope: pcm-touch builds"
	finish
fi
"$repo/build/sgscope/sgscope" dmamap --pcm 1 >/dev/null 2>"$tmp/err"
expect "cli: dmamap refuses --pcm (DMA is per device) with exit 2" 2 $?

for mode in plain swiotlb iommu; do
	flags=()
	[ $mode = plain ] || flags=(--$mode)
	"$vm" "${flags[@]}" --results "$work" --console "$tmp/console-$mode.log" \
		--timeout 1200 -- sh "$repo/tools/tests/guest/sgscope-checks.sh" $mode "$work" "$kbuild"
	rc=$?
	[ "$rc" -lt 124 ] || fail "sgscope: the $mode run completes (tools/vm exit $rc)"
done
# README's compatibility table, this kernel's rows (make compat-table)
compat_check "$work" test-kernel
finish
