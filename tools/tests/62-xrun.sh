#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sgscope xrun in the test machine: each planted cause of an xrun in a run
# of its own, the tracer's count against the player's, its verdicts
# against the cause (tools/tests/guest/xrun-checks.sh).
source "$(dirname "$0")/lib.sh"
# the guest script reports a block of its own
start_checks

kbuild=${KBUILD:-$cache/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"
if [ ! -x "$repo/build/sgscope/sgscope" ]; then
	fail "xrun: build/sgscope/sgscope is built (make sgscope)"
	finish
fi
gcc -O2 -Wall -Werror -o "$work/pcm-player" "$repo/tools/tests/pcm-player.c" -lasound
check $? "xrun: pcm-player builds" || finish
"$vm" --results "$work" --console "$tmp/console.log" --timeout 900 -- \
	sh "$repo/tools/tests/guest/xrun-checks.sh" "$work"
rc=$?
[ "$rc" -lt 124 ]
check $? "xrun: the test machine's run completes (tools/vm exit $rc)"
compat_check "$work" xrun-test-kernel
finish
