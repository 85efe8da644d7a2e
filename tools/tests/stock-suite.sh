#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The second kind of test machine: one of Debian 12's own kernels, the
# sound core as modules (tools/stock-kernel, tools/vm --kernel NAME), run
# by the suites 65- to 67-, which name it in $stock_name before sourcing
# this.  snd-sgscope is built out of tree against that kernel's headers and
# loaded with insmod; allocs, pagelat and dmamap run there with fentry and
# with kprobes; every PCM plays and captures bit for bit, goes through a
# system suspend and resume, and 50 module cycles.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"

if ! "$repo/tools/stock-kernel" "$stock_name"; then
	fail "stock: tools/stock-kernel fetches $stock_name"
	finish
fi
stock=$("$repo/tools/stock-kernel" --print-dir "$stock_name")
release=$(cat "$stock/abi")
pass "stock: tools/stock-kernel fetched $release for $stock_name"

# Debian's 6.1 brings one vCPU up under icount (tools/vm says why)
if [[ "$release" == 6.1.0-* ]]; then
	"$vm" --kernel "$stock_name" --cpus 2 true >/dev/null 2>"$tmp/err"
	expect "stock: two vCPUs under icount are refused (exit 2)" 2 $?
	contains "stock: ... saying why" "one vCPU under icount" "$(cat "$tmp/err")"
fi

stock_module "$stock_name" "$work"
expect "stock: snd-sgscope builds against linux-headers-$release" 0 $? ||
	tail -3 "$work/stock-module.log" | sed 's/^/#   /'
# tools/stock-kernel's build/ has the kernel's BTF, so the module has its own
expect "stock: ... with BTF of its own (fentry on its functions)" 1 \
	"$(readelf -S "$work/snd-sgscope.ko" 2>/dev/null | grep -c ' \.BTF ')"
gcc -O2 -Wall -Werror -o "$work/pcm-touch" "$repo/tools/tests/pcm-touch.c" -lasound ||
	fail "stock: pcm-touch builds"

# Boot 1: the tracers.  1 GiB: what inject --fragment 100 takes and gives
# back page by page
"$vm" --kernel "$stock_name" --memory 1G --results "$work" --console "$tmp/console.log" --timeout 900 -- \
	sh "$repo/tools/tests/guest/stock-checks.sh" "$work" "$release"
rc=$?
[ "$rc" -lt 124 ] || fail "stock: the $stock_name run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console.log")"
# docs/compatibility.md, this kernel's rows (make compat-table)
compat_check "$work" "$stock_name"

# Boot 2: every PCM plays bit for bit through the driver as built for this
# kernel, recorded by the device's --wav output, and captures from known
# data, alone and while it plays; then 50 module cycles
driver_inputs "$work"
"$vm" --kernel "$stock_name" --results "$work" --console "$tmp/console-play.log" \
	--capture "$work/capture-in.raw" --wav "$tmp/out.wav" \
	--timeout 900 -- sh "$repo/tools/tests/guest/stock-play.sh" "$work" 50
rc=$?
expect "stock: the playback run completes" 0 "$rc"
"$repo/tools/tests/playback.py" check "$work" "$tmp/out.wav" "${play_checks[@]}" "${duplex_checks[@]}" \
	"in-pcm2-premapped=play: pcm2-premapped (mapped at mmap time)"
"$repo/tools/tests/playback.py" captured "$work" "$work/capture-in.raw" "${capture_checks[@]}"

# Boot 3: a system suspend and resume while each PCM plays
"$vm" --kernel "$stock_name" --results "$work" --console "$tmp/console-suspend.log" --wav "$tmp/suspend.wav" \
	--timeout 600 -- sh -c 'modprobe snd-pcm && modprobe snd-ac97-codec && insmod "$1/snd-sgscope.ko" &&
		exec sh "$2/suspend.sh" "$1"' suspend-run "$work" "$repo/tools/tests/guest" | tee "$tmp/suspend.out"
rc=${PIPESTATUS[0]}
[ "$rc" -lt 124 ] || fail "stock: the suspend run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console-suspend.log")"
"$repo/tools/tests/playback.py" resumed "$work" "$tmp/suspend.wav" "$tmp/suspend.out" "${suspend_checks[@]}"
finish
