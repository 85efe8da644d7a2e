#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The sgscope tracing CLI: its unit tests on the host, then pagelat,
# allocs and dmamap in the test machine, booted plain, with swiotlb=force
# and with intel-iommu.
source "$(dirname "$0")/lib.sh"
# the unit tests and the guest runs report blocks of their own
start_checks

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
# every subcommand, as the CLI's own table lists them in sgscope --help:
# --help and -h print its usage on stdout and exit 0; an unknown flag
# prints it on stderr and exits 2
S="$repo/build/sgscope/sgscope"
commands=$("$S" --help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
if [ -n "$commands" ]; then
	pass "cli: sgscope --help lists the subcommands ($(echo $commands))"
else
	fail "cli: sgscope --help lists the subcommands" "none found under 'commands:'"
fi
bad_help=() bad_flag=()
for c in $commands; do
	for h in --help -h; do
		"$S" "$c" "$h" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		{ [ $rc = 0 ] && grep -q "^usage: sgscope $c\b" "$tmp/out" && [ ! -s "$tmp/err" ]; } ||
			bad_help+=("$c $h: exit $rc, stdout: $(head -c 120 "$tmp/out")")
	done
	"$S" "$c" --no-such-flag >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ [ $rc = 2 ] && grep -q "^usage: sgscope $c\b" "$tmp/err" && [ ! -s "$tmp/out" ]; } ||
		bad_flag+=("$c --no-such-flag: exit $rc, stderr: $(head -c 120 "$tmp/err")")
done
if [ -n "$commands" ] && [ ${#bad_help[@]} = 0 ]; then
	pass "cli: every subcommand's --help and -h exit 0 with its usage on stdout"
else
	fail "cli: every subcommand's --help and -h exit 0 with its usage on stdout" "${bad_help[@]}"
fi
if [ -n "$commands" ] && [ ${#bad_flag[@]} = 0 ]; then
	pass "cli: every subcommand exits 2 on an unknown flag, usage on stderr"
else
	fail "cli: every subcommand exits 2 on an unknown flag, usage on stderr" "${bad_flag[@]}"
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
# docs/compatibility.md, this kernel's rows (make compat-table)
compat_check "$work" test-kernel
finish
