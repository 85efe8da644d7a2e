#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope xrun in the test machine: each planted cause of an xrun in a run
# of its own, the tracer's count against the player's, its verdicts
# against the cause (tools/tests/guest/xrun-checks.sh), on the test kernel
# (the sound core built in) and on Debian's 6.1 (the sound core as
# modules, snd-sgscope built against its headers), where jackd2 counts
# its own xruns too.
source "$(dirname "$0")/lib.sh"
# the guest script reports a block of its own
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$repo/build/sgscope/sgscope" ]; then
	fail "xrun: build/sgscope/sgscope is built (make sgscope)"
	finish
fi
mkdir -p "$tmp/test-kernel" "$tmp/debian-6.1"
for tool in pcm-player cpu-work; do
	gcc -O2 -Wall -Werror -o "$tmp/test-kernel/$tool" "$repo/tools/tests/$tool.c" -lasound
	check $? "xrun: $tool builds" || finish
	cp "$tmp/test-kernel/$tool" "$tmp/debian-6.1/"
done
stock=$("$repo/tools/stock-kernel" --print-dir debian-6.1)
stock_module "$stock" "$tmp/debian-6.1"
check $? "xrun: snd-sgscope builds for Debian's 6.1 ($stock)" || finish

# the measuring machine's kernel parameters: no kmemleak scan beside the
# planted causes (tools/bench/kernel-params)
params=()
while read -r p; do params+=(--append "$p"); done < <(grep -v '^#' "$repo/tools/bench/kernel-params")
for kernel in test-kernel debian-6.1; do
	work="$tmp/$kernel"
	flags=()
	[ "$kernel" = test-kernel ] || flags=(--kernel "$kernel")
	"$vm" "${flags[@]}" "${params[@]}" --results "$work" --console "$tmp/console-$kernel.log" \
		--timeout 900 -- sh "$repo/tools/tests/guest/xrun-checks.sh" "$work"
	rc=$?
	[ "$rc" -lt 124 ]
	check $? "xrun: the $kernel run completes (tools/vm exit $rc)"
	compat_check "$work" "xrun-$kernel"
done
finish
