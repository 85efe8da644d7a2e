#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug kernel (tools/kernel-build --debug: kunit/debug.config's
# lockdep, DEBUG_ATOMIC_SLEEP, KASAN, UBSAN, KFENCE, DEBUG_SG and
# DMA_API_DEBUG) has every option it asks for, and KUnit (30-kunit) passes
# on it; 40-driver (with its 2,000 fuzz rounds) and 70-fault-matrix run on
# it by themselves, and tools/vm fails any boot whose kernel log has a
# splat.  Here the splat check is shown to fail: a copy of the driver with
# a planted bug (tools/tests/planted/*.diff) gets the splat it plants.
source "$(dirname "$0")/lib.sh"
start_checks

export KBUILD=$debug_kbuild
if [ ! -f "$KBUILD/arch/x86/boot/bzImage" ]; then
	fail "debug: the debug kernel is built (tools/kernel-build --debug, make debug-kernel)"
	finish
fi
# every check of kunit/debug.config is in the kernel that was built
missing=$(grep '^CONFIG_' "$repo/kunit/debug.config" | grep -vxF -f "$KBUILD/.config")
expect "debug: the debug kernel has every option of kunit/debug.config" "" "$missing"

echo "# debug: 30-kunit on the debug kernel"
bash "$repo/tools/tests/30-kunit.sh"
check $? "debug: 30-kunit passes on the debug kernel"

# planted DIFF SPLAT COMMAND: the driver with DIFF applied, built as a
# module for the debug kernel and loaded in place of the built-in one
# (40-driver's way), then COMMAND (sh, $1 the module, $2 a short WAV);
# tools/vm must report a splat that has SPLAT in it
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$repo/tools/tests/playback.py" make "$tmp" short:7:0.3:0
planted() {
	local diff=$1 splat=$2 src=$tmp/$1 out
	shift 2
	cp -r "$repo/driver" "$src"
	patch -s -d "$src" -p2 <"$repo/tools/tests/planted/$diff.diff" &&
		make -C "$KBUILD" M="$src" CONFIG_SND_SGSCOPE=m CONFIG_SND_SGSCOPE_KUNIT_TEST= \
			SGSCOPE_MODULE=snd-sgscope-oot "CC=ccache gcc" >"$tmp/$diff.build" 2>&1
	check $? "debug: the driver with $diff builds" || { tail -3 "$tmp/$diff.build"; return; }
	out=$("$vm" --results "$tmp" --console "$tmp/$diff.console" --append initcall_blacklist=sgscope_init \
		--timeout 600 -- sh -c "$1" planted "$src/snd-sgscope-oot.ko" "$tmp/short.wav" 2>&1)
	echo "$out" | grep -v '^\(not \)\{0,1\}ok - \|^# \(begin\|end\): tools/vm\|^1\.\.1$' | sed 's/^/# /' | head -40
	contains "debug: the splat check fails on $diff" "not ok - vm: the kernel log has no splat" "$out"
	contains "debug: ... naming it ($splat)" "$splat" "$out"
}
planted sleep-in-trigger "BUG: sleeping function called from invalid context" \
	'insmod "$1" && aplay -q -D hw:sgscope,0 "$2"'
planted missing-dma-unmap "DMA-API: " \
	'insmod "$1" && aplay -q -D hw:sgscope,2 "$2"; rmmod snd_sgscope_oot'
finish
