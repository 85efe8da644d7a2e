# SPDX-License-Identifier: GPL-2.0
# Helpers for sgscope's shell test suites.  A suite reports its checks
# through tools/tests/checks.sh, the guest scripts' helper too:
# start_checks, then pass, fail, check, expect and contains print "ok -
# NAME" or "not ok - NAME" lines, which tools/run-tests counts, and finish
# ends the suite's block with its KTAP plan (tools/tests/ktap-plans.py); a
# guest script or helper it runs reports a block of its own.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${SGSCOPE_CACHE:-$HOME/.cache/sgscope}
# the kernel build the suite tests; the debug kernel's (KBUILD=$debug_kbuild,
# 41- to 43-debug-*) keep their results apart, under names ending in -debug
debug_kbuild=${DEBUG_KBUILD:-$cache/debug/build}
kbuild=${KBUILD:-$cache/build}
variant=
[ "$kbuild" != "$debug_kbuild" ] || variant=-debug
# on_debug_kernel: the suite runs on the debug kernel (tools/kernel-build
# --debug), whatever KBUILD said (make exports the plain kernel's); a suite
# whose kernel was not built fails there, with its block ended
on_debug_kernel() {
	export KBUILD=$debug_kbuild
	kbuild=$KBUILD variant=-debug
	if [ ! -f "$KBUILD/arch/x86/boot/bzImage" ]; then
		fail "debug: the debug kernel is built (tools/kernel-build --debug, make debug-kernel)"
		finish
	fi
}
vm="$repo/tools/vm"
# shellcheck source=tools/tests/checks.sh
source "$repo/tools/tests/checks.sh"
# compat_check WORK NAME: the compatibility rows a guest run recorded in
# WORK/compat.tsv, kept as $cache/compat-NAME.tsv (make compat-table) and
# checked against docs/compatibility.md's
compat_check() {
	if [ -s "$1/compat.tsv" ]; then
		cp "$1/compat.tsv" "$cache/compat-$2.tsv"
		# compat.py prints its one result without a plan: counted here
		relay "$repo/tools/tests/compat.py" check "$repo/docs/compatibility.md" "$cache/compat-$2.tsv"
	else
		fail "compat: the $2 checks recorded their probes"
	fi
}
# stock_module NAME WORK: snd-sgscope built out of tree against the
# headers of tools/stock-kernel's NAME, into WORK/snd-sgscope.ko; make's
# output in WORK/stock-module.log
stock_module() {
	"$repo/tools/stock-kernel" --driver "$2" "$1" >/dev/null 2>&1
}
# unit_tests FILE NAME: FILE's Python unit tests (unittest, run -v) as a
# block of their own, one check per test, and one that they all pass
unit_tests() {
	local log
	log=$(mktemp)
	python3 -W ignore::ResourceWarning "$1" -v >"$log" 2>&1
	expect "$2: its unit tests pass" 0 $?
	sed -n 's/^Ran \([0-9]*\) tests\? in .*/1..\1/p' "$log"
	# (# as sed's delimiter: NAME may be a path)
	sed -n "s#^\\(test_[a-z0-9_]*\\) .* \\.\\.\\. ok\$#ok - $2: \\1#p
		s#^\\(test_[a-z0-9_]*\\) .* \\.\\.\\. \\(FAIL\\|ERROR\\)\$#not ok - $2: \\1#p" "$log"
	rm -f "$log"
}
# driver_inputs WORK: the seeded inputs of the driver's bit-exact runs
# (playback.py make) in WORK, and what the host checks each run's output
# for: play_checks (play.sh, recorded), suspend_checks (suspend.sh,
# recorded), capture_checks (capture.sh, against WORK/capture-in.raw)
# and duplex_checks (capture.sh, recorded)
driver_inputs() {
	local specs=() seed=1 pcm mode
	play_checks=() suspend_checks=() capture_checks=() duplex_checks=()
	# the suspend clips are 5 s: the suspend itself comes up to 1.3 s
	# after suspend-run.sh's first second (the debug kernel's first one),
	# and what aplay had written ahead is lost to it, up to a buffer, so
	# of 3 s less than playback.py's half second was left to play after
	for pcm in 0 1 2 3; do
		for mode in rw mmap; do
			specs+=("in-pcm$pcm-$mode:$seed:0.5") seed=$((seed + 1))
			play_checks+=("in-pcm$pcm-$mode=play: pcm$pcm-$mode")
			capture_checks+=("cap-pcm$pcm-$mode=capture: pcm$pcm $mode")
		done
		specs+=("in-suspend-pcm$pcm:$((201 + pcm)):5" "in-duplex-pcm$pcm:$((301 + pcm)):1")
		suspend_checks+=("in-suspend-pcm$pcm=suspend: pcm$pcm")
		duplex_checks+=("in-duplex-pcm$pcm=duplex: pcm$pcm plays while it captures")
	done
	for pcm in 0 1 2 3; do
		capture_checks+=("cap-duplex-pcm$pcm=duplex: pcm$pcm captures while it plays")
	done
	specs+=("in-pcm2-premapped:$seed:0.5")
	# the capture input: 30 s of seeded noise, more than every capture takes
	"$repo/tools/tests/playback.py" make "$1" "${specs[@]}" in-chunked:99:1.0 short:7:0.3:0 \
		capture-in:300:30:0
}
