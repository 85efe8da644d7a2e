#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope xrun in the test machine: each planted cause of an xrun in a run
# of its own, the tracer's count against the player's, its verdicts
# against the cause (tools/tests/guest/xrun-checks.sh), on the test kernel
# (the sound core built in) and on Debian's 6.1, 6.12 and 6.12-rt (the
# sound core as modules, snd-sgscope built against their headers), where
# jackd2 counts its own xruns too.
source "$(dirname "$0")/lib.sh"
# the guest script reports a block of its own
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$repo/build/sgscope/sgscope" ]; then
	fail "xrun: build/sgscope/sgscope is built (make sgscope)"
	finish
fi
# the test kernel, then Debian's own (tools/stock-kernel), the sound core
# as modules there and snd-sgscope built against their headers
kernels=(test-kernel debian-6.1 debian-6.12 debian-6.12-rt)
mkdir -p "$tmp/test-kernel"
for tool in pcm-player cpu-work; do
	gcc -O2 -Wall -Werror -o "$tmp/test-kernel/$tool" "$repo/tools/tests/$tool.c" -lasound
	check $? "xrun: $tool builds" || finish
done
for kernel in "${kernels[@]:1}"; do
	mkdir -p "$tmp/$kernel"
	cp "$tmp/test-kernel/pcm-player" "$tmp/test-kernel/cpu-work" "$tmp/$kernel/"
	stock_module "$kernel" "$tmp/$kernel"
	check $? "xrun: snd-sgscope builds for $kernel" || finish
done

# the measuring machine's kernel parameters (--measure): no kmemleak scan
# beside the planted causes
for kernel in "${kernels[@]}"; do
	work="$tmp/$kernel"
	flags=()
	[ "$kernel" = test-kernel ] || flags=(--kernel "$kernel")
	"$vm" "${flags[@]}" --measure --results "$work" --console "$tmp/console-$kernel.log" \
		--timeout 900 -- sh "$repo/tools/tests/guest/xrun-checks.sh" "$work"
	rc=$?
	[ "$rc" -lt 124 ]
	check $? "xrun: the $kernel run completes (tools/vm exit $rc)"
	compat_check "$work" "xrun-$kernel"
done
finish
