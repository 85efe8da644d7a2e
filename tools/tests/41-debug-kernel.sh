#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug kernel (tools/kernel-build --debug: kunit/debug.config's
# lockdep, DEBUG_ATOMIC_SLEEP, KASAN, UBSAN, KFENCE, DEBUG_SG and
# DMA_API_DEBUG), with tools/vm failing any boot whose kernel log has a
# splat: KUnit (30-kunit); every PCM playing and capturing bit for bit,
# alone and in duplex; a suspend and resume under playback; the error
# cases, unbind/bind and kmemleak (driver-checks).  42-debug-fuzz and
# 43-debug-fault-matrix run the fuzzer and the fault matrix there, each a
# suite of its own, so that the three run side by side.
# Then the splat check is shown to fail: a copy of the
# driver with a planted bug (tools/tests/planted/*.diff) gets the splat it
# plants.
source "$(dirname "$0")/lib.sh"
start_checks

on_debug_kernel
# every check of kunit/debug.config is in the kernel that was built, and
# none of what it leaves out
missing=$(grep -E '^(CONFIG_|# CONFIG_[A-Z0-9_]* is not set$)' "$repo/kunit/debug.config" |
	grep -vxF -f "$KBUILD/.config")
expect "debug: the debug kernel has every option of kunit/debug.config, and none it leaves out" "" "$missing"

echo "# debug: 30-kunit on the debug kernel"
bash "$repo/tools/tests/30-kunit.sh"
check $? "debug: 30-kunit passes on the debug kernel"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The boots' timeouts are safety nets for a hung guest, three times what
# a boot of this kernel took beside another guest: a busy host stretches
# wall time, not the guest's icount time (the checks run passed 1200 s
# beside three other guests)
work=$tmp/work
mkdir -p "$work"
gcc -O2 -Wall -Werror -o "$work/pcm-checks" "$repo/tools/tests/pcm-checks.c" -lasound ||
	fail "debug: pcm-checks builds"
driver_inputs "$work"

# play and capture (without their forced SG fallback: fail_page_alloc's
# stack filter on every order >= 1 allocation did not finish in 5 minutes
# on this kernel; 40-driver runs it on the plain one)
"$vm" --results "$work" --console "$tmp/console-play.log" --capture "$work/capture-in.raw" \
	--wav "$tmp/out.wav" --timeout $((3 * 900)) -- sh -c 'sh "$1/play.sh" "$2" plain; sh "$1/capture.sh" "$2" plain' \
	play-run "$repo/tools/tests/guest" "$work"
expect "debug: the play and capture run completes" 0 $?
"$repo/tools/tests/playback.py" check "$work" "$tmp/out.wav" "${play_checks[@]}" "${duplex_checks[@]}"
"$repo/tools/tests/playback.py" captured "$work" "$work/capture-in.raw" "${capture_checks[@]}"

"$vm" --results "$work" --console "$tmp/console-suspend.log" --wav "$tmp/suspend.wav" \
	--timeout $((3 * 900)) -- sh "$repo/tools/tests/guest/suspend.sh" "$work" | tee "$tmp/suspend.out"
rc=${PIPESTATUS[0]}
[ "$rc" -lt 124 ] || fail "debug: the suspend run completes (tools/vm exit $rc)"
"$repo/tools/tests/playback.py" resumed "$work" "$tmp/suspend.wav" "$tmp/suspend.out" "${suspend_checks[@]}"

# 10 unbind/bind cycles, not 40-driver's 50: each takes 15 s of guest
# time here (a probe and a remove under KASAN and lockdep), and lockdep
# learns a path the first time it runs; the ten cover every PCM twice or more
"$vm" --results "$work" --console "$tmp/console-checks.log" --timeout $((3 * 1200)) \
	-- sh "$repo/tools/tests/guest/driver-checks.sh" "$work" 10
rc=$?
[ "$rc" -lt 124 ] || fail "debug: the checks run completes (tools/vm exit $rc)"

# planted DIFF SPLAT COMMAND: the driver with DIFF applied, built as a
# module for the debug kernel and loaded in place of the built-in one
# (40-driver's way), then COMMAND (sh, $1 the module, $2 a short WAV);
# tools/vm must report a splat that has SPLAT in it
planted() {
	local diff=$1 splat=$2 src=$tmp/$1 out
	shift 2
	cp -r "$repo/driver" "$src"
	patch -s -d "$src" -p2 <"$repo/tools/tests/planted/$diff.diff" &&
		make -C "$KBUILD" M="$src" CONFIG_SND_SGSCOPE=m CONFIG_SND_SGSCOPE_KUNIT_TEST= \
			SGSCOPE_MODULE=snd-sgscope-oot "CC=ccache gcc" >"$tmp/$diff.build" 2>&1
	check $? "debug: the driver with $diff builds" || { tail -3 "$tmp/$diff.build"; return; }
	out=$("$vm" --results "$tmp" --console "$tmp/$diff.console" --append initcall_blacklist=sgscope_init \
		--timeout $((3 * 600)) -- sh -c "$1" planted "$src/snd-sgscope-oot.ko" "$work/short.wav" 2>&1)
	echo "$out" | grep -v '^\(not \)\{0,1\}ok - \|^# \(begin\|end\): tools/vm\|^1\.\.1$' | sed 's/^/# /' | head -40
	contains "debug: the splat check fails on $diff" "not ok - vm: the kernel log has no splat" "$out"
	contains "debug: ... naming it in the kernel log ($splat)" "$splat" "$(cat "$tmp/$diff.console")"
}
planted sleep-in-trigger "BUG: scheduling while atomic" \
	'insmod "$1" && aplay -q -D hw:sgscope,0 "$2"'
planted missing-dma-unmap "has pending DMA allocations while released from device" \
	'insmod "$1" && aplay -q -D hw:sgscope,2 "$2"; rmmod snd_sgscope_oot'
finish
