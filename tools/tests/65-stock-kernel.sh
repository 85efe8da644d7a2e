#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The second kind of test machine: Debian 12's own 6.1 kernel, the sound
# core as modules (tools/stock-kernel, tools/vm --kernel debian-6.1).
# snd-sgscope is built out of tree against that kernel's headers and
# loaded with insmod; allocs, pagelat and dmamap run there with fentry and
# with kprobes.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"

if ! "$repo/tools/stock-kernel" debian-6.1; then
	fail "stock: tools/stock-kernel fetches Debian's 6.1 kernel"
	finish
fi
stock=$("$repo/tools/stock-kernel" --print-dir debian-6.1)
release=$(cat "$stock/abi")
pass "stock: tools/stock-kernel fetched $release"

"$vm" --kernel debian-6.1 --cpus 2 true >/dev/null 2>"$tmp/err"
expect "stock: two vCPUs under icount are refused (exit 2)" 2 $?
contains "stock: ... saying why" "one vCPU under icount" "$(cat "$tmp/err")"

stock_module "$stock" "$work"
expect "stock: snd-sgscope builds against linux-headers-$release" 0 $? ||
	tail -3 "$work/stock-module.log" | sed 's/^/#   /'
# tools/stock-kernel's build/ has the kernel's BTF, so the module has its own
expect "stock: ... with BTF of its own (fentry on its functions)" 1 \
	"$(readelf -S "$work/snd-sgscope.ko" 2>/dev/null | grep -c ' \.BTF ')"
gcc -O2 -Wall -Werror -o "$work/pcm-touch" "$repo/tools/tests/pcm-touch.c" -lasound ||
	fail "stock: pcm-touch builds"

# 1 GiB: what inject --fragment 100 takes and gives back page by page
"$vm" --kernel debian-6.1 --memory 1G --results "$work" --console "$tmp/console.log" --timeout 900 -- \
	sh "$repo/tools/tests/guest/stock-checks.sh" "$work" "$release"
rc=$?
[ "$rc" -lt 124 ] || fail "stock: the debian-6.1 run completes (tools/vm exit $rc)" "$(tail -5 "$tmp/console.log")"
# docs/compatibility.md, this kernel's rows (make compat-table)
compat_check "$work" debian-6.1

# Boot 2: every PCM plays bit for bit through the driver's 6.1 code paths,
# recorded by the device's --wav output; then 50 module cycles
specs=() checks=() seed=1
for pcm in 0 1 2 3; do
	for mode in rw mmap; do
		specs+=("in-pcm$pcm-$mode:$seed:0.5") seed=$((seed + 1))
		checks+=("in-pcm$pcm-$mode=stock: play: pcm$pcm-$mode")
	done
done
specs+=("in-pcm2-premapped:$seed:0.5")
checks+=("in-pcm2-premapped=stock: play: pcm2-premapped (mapped at mmap time)")
"$repo/tools/tests/playback.py" make "$work" "${specs[@]}" short:7:0.3:0
"$vm" --kernel debian-6.1 --results "$work" --console "$tmp/console-play.log" --wav "$tmp/out.wav" \
	--timeout 900 -- sh "$repo/tools/tests/guest/stock-play.sh" "$work" 50
rc=$?
expect "stock: the playback run completes" 0 "$rc"
"$repo/tools/tests/playback.py" check "$work" "$tmp/out.wav" "${checks[@]}"
finish
