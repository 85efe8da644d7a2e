#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: one cell's workload, repeated, under ftrace's
# function_graph tracer, from ENTRY down, for tools/bench/why.  Under
# icount the durations it records are instruction counts, so two boots of
# one build give the same profile but for where interrupts land, and two
# builds' profiles differ where their code paths do.
#
# The cell is set up as tools/bench/guest-cells.sh sets it up (its --plan
# names the PCM, size and .page variant; BENCH_COST and
# BENCH_PAGE_DELAY_NS plant what the run planted; the condition's
# injection is armed), one CPU online, then pcm-touch runs once untraced
# (what a first run pays once) and REPS times traced, with ROUNDS rounds.
# $1: cell  $2: ENTRY (a kernel function)  $3: folder with pcm-touch,
# gets trace-1.dat to trace-REPS.dat  $4: the driver as an out-of-tree
# module to load first (optional)
# The traced run is repeated (REPS, each its own trace-N.dat): an
# interrupt lands in one repetition's path and not in the others', so
# tools/bench/why.py keeps each function's least own time of the three.
cell=$1 entry=$2 dir=$3 ko=${4:-} rounds=2 reps=3
repo=$(cd "$(dirname "$0")/../.." && pwd)
S=${S:-$repo/build/sgscope/sgscope}
pci_driver=${SGSCOPE_PCI_DRIVER:-snd_sgscope}
if [ -n "$ko" ]; then
	insmod "$ko" || exit 1
	pci_driver=$(basename "$ko" .ko | tr - _)
fi
for _ in $(seq 100); do grep -q '\[sgscope *\]' /proc/asound/cards && break; sleep 0.1; done
card=$(sed -n 's/^ *\([0-9]*\) \[sgscope *\].*/\1/p' /proc/asound/cards)
[ -n "$card" ] || { echo "# no sgscope card ($pci_driver)" >&2; exit 1; }
knobs=/sys/kernel/debug/sgscope/card$card
boot=${cell#*/}
boot=${boot%%/*}
set -- $(sh "$repo/tools/bench/guest-cells.sh" --plan-lines "$boot" 1 full - "$cell" | head -1)
[ "$1" = "$cell" ] && [ "$2" = sgscope ] ||
	{ echo "# $cell is not one of snd-sgscope's cells" >&2; exit 1; }
pcm=$3 bytes=$4 variant=$5 cond=${cell##*/}
[ "$variant" = - ] || echo "$variant" >"$knobs/vmalloc_page" || exit 1
[ -z "${BENCH_PAGE_DELAY_NS:-}" ] || echo "$BENCH_PAGE_DELAY_NS" >"$knobs/page_delay_ns" || exit 1
cp "$dir/pcm-touch" /tmp/ || exit 1

# one CPU, as the cells run (guest-cells.sh says why)
for c in /sys/devices/system/cpu/cpu[1-9]*; do
	[ -w "$c/online" ] && echo 0 >"$c/online"
done
armed() { # LOG N: wait for N "armed" lines of sgscope inject
	for _ in $(seq 600); do
		[ "$(grep -c armed "$1" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.1
	done
	cat "$1" >&2
	return 1
}
if [ -n "${BENCH_COST:-}" ]; then
	set --
	for c in $(echo "$BENCH_COST" | tr , ' '); do set -- "$@" --cost "$c"; done
	"$S" inject "$@" -d 3600 2>/tmp/cost.err &
	armed /tmp/cost.err $(($# / 2)) || exit 1
fi
case $cond in
order1) "$S" inject --order 1 -d 3600 2>/tmp/inject.err & armed /tmp/inject.err 1 || exit 1 ;;
none) ;;
*) echo "# why profiles the none and order1 conditions, not $cond" >&2; exit 1 ;;
esac

echo 1 >/proc/sys/vm/compact_memory
touch_once() { taskset -c 0 /tmp/pcm-touch "hw:$card,$pcm" $((bytes / 4)) "$rounds" >/dev/null; }
touch_once || exit 1
cd /tmp || exit 1
# each repetition's binary trace is read on the host (tools/bench/why):
# trace-cmd report costs a TCG guest many times what it costs the host
for rep in $(seq "$reps"); do
	trace-cmd record -q -p function_graph -g "$entry" -O nosleep-time -o "/tmp/trace-$rep.dat" \
		taskset -c 0 /tmp/pcm-touch "hw:$card,$pcm" $((bytes / 4)) "$rounds" >/dev/null || exit 1
	cp "/tmp/trace-$rep.dat" "$dir/" || exit 1
done
echo "# traced $cell from $entry, $reps times"
