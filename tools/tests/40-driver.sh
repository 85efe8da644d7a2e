#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# snd-sgscope in the test machine: bit-exact playback through every PCM in
# read/write and mmap mode, a chunked buffer that overflows the 32-slot ring,
# a system suspend and resume while each PCM plays, capture from known
# data and duplex, the error cases, unbind/bind under playback, kmemleak,
# pcm-fuzz.
source "$(dirname "$0")/lib.sh"
# the guest scripts and playback.py report blocks of their own
start_checks
# the host's half of the suspend check, on made-up recordings
unit_tests "$repo/tools/tests/test_playback.py" playback.py

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"

if ! gcc -O2 -Wall -Werror -o "$work/pcm-checks" "$repo/tools/tests/pcm-checks.c" -lasound; then
	fail "driver: pcm-checks builds"
	finish
fi

# Distinct seeded noise per play
driver_inputs "$work"

# Boot 1: playback recorded by the device's --wav output.
"$vm" --results "$work" --console "$tmp/console-play.log" --wav "$tmp/out.wav" \
	--timeout 600 -- sh "$repo/tools/tests/guest/play.sh" "$work"
rc=$?
expect "driver: the playback run completes" 0 "$rc"
"$repo/tools/tests/playback.py" check "$work" "$tmp/out.wav" "${play_checks[@]}" \
	"in-chunked=play: pcm1 chunked (>32 descriptors)"

# Boot 2: a system suspend and resume (pm_test) while each PCM plays, the
# playback recorded; the guest cuts itself off from 9p and reports on its
# output only (guest/suspend.sh says why).
"$vm" --results "$work" --console "$tmp/console-suspend.log" --wav "$tmp/suspend.wav" \
	--timeout 600 -- sh "$repo/tools/tests/guest/suspend.sh" "$work" | tee "$tmp/suspend.out"
rc=${PIPESTATUS[0]}
[ "$rc" -lt 124 ] || fail "driver: the suspend run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console-suspend.log")"
"$repo/tools/tests/playback.py" resumed "$work" "$tmp/suspend.wav" "$tmp/suspend.out" "${suspend_checks[@]}"

# Boot 3: capture from known data (tools/vm --capture feeds the device's
# input from a file) on every PCM, rw, mmap, a chunked pcm1 buffer past
# the 32-slot ring, and duplex with the playback recorded.
"$vm" --results "$work" --console "$tmp/console-capture.log" --capture "$work/capture-in.raw" \
	--wav "$tmp/duplex.wav" --timeout 600 -- sh "$repo/tools/tests/guest/capture.sh" "$work"
rc=$?
[ "$rc" -lt 124 ] || fail "driver: the capture run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console-capture.log")"
"$repo/tools/tests/playback.py" captured "$work" "$work/capture-in.raw" "${capture_checks[@]}" \
	"cap-chunked=capture: pcm1 chunked (>32 descriptors)"
"$repo/tools/tests/playback.py" check "$work" "$tmp/duplex.wav" "${duplex_checks[@]}"

# Boot 4: capture of silence, error cases, unbind/bind, kmemleak, kernel log.
"$vm" --results "$work" --console "$tmp/console-checks.log" --timeout 900 \
	-- sh "$repo/tools/tests/guest/driver-checks.sh" "$work"
rc=$?
[ "$rc" -lt 124 ] || fail "driver: the checks run completes (tools/vm exit $rc)"

# Boot 5: pcm-fuzz, 2000 rounds of random configurations on every PCM
# (make bench runs 20000); the seed it prints replays a failure.
"$repo/tools/tests/fuzz-run" "$tmp/fuzz" 2000

# Boot 6: the driver as a loadable module, the way a driver developer
# loads it on a test machine.  The test kernel has it built in (kunit.py
# runs built-in suites only), so that copy is kept from registering with
# initcall_blacklist and an out-of-tree build of the same sources is
# loaded under a name of its own (driver/Makefile says why).
cp -r "$repo/driver" "$tmp/oot"
out=$(make -C "$kbuild" M="$tmp/oot" CONFIG_SND_SGSCOPE=m CONFIG_SND_SGSCOPE_KUNIT_TEST= \
	SGSCOPE_MODULE=snd-sgscope-oot "CC=ccache gcc" 2>&1)
expect "driver: the module builds out of tree against the test kernel" 0 $?
cp "$tmp/oot/snd-sgscope-oot.ko" "$work/" 2>/dev/null || fail "driver: ... giving snd-sgscope-oot.ko" "$(tail -3 <<<"$out")"
"$vm" --results "$work" --console "$tmp/console-module.log" --append initcall_blacklist=sgscope_init \
	--timeout 900 -- sh -c 'checks_sh=$1/../checks.sh; . "$1/lib.sh"; start_checks
		! grep -q "\[sgscope" /proc/asound/cards
		check $? "module: the built-in driver stays unregistered (initcall_blacklist)"
		sh "$1/module-cycles.sh" "$2/snd-sgscope-oot.ko" "$2/short.wav" 50 module
		finish' \
	module-run "$repo/tools/tests/guest" "$work"
rc=$?
[ "$rc" -lt 124 ] || fail "driver: the module run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console-module.log")"
finish
