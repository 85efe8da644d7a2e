#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: the benchmark cells of one boot.
#
# sgscope allocs, dmamap and pagelat trace the whole boot (three BPF loads,
# not three per cell); a SIGUSR1 makes each print its interval so far and a
# "mark" line, which is how their output is cut into cells and iterations.
# Conditions are the outer loop, so each injection is armed twice per boot:
# once for snd-sgscope's cells and once for the peers' (loaded together).
# For every strategy (pcm0-3, pcm2 with both .page variants) x buffer size,
# ITER iterations of
#   pcm-touch: open, hw_params, 20 rounds of map + fault every page + unmap
#   pcm-xruns: 300 ms of low-latency playback (4 periods of 1024 frames
#              queued), underruns counted
# then, in the direct boot, the peers on the same device and conditions:
# mainline snd-intel8x0 and snd-dummy (64 KiB, their buffer limit).
#
# Written to DIR/BOOT/ when the boot's cells are done: allocs.jsonl, dmamap.jsonl, pagelat.jsonl and
# cells.txt, which says which mark ends which cell or iteration:
#   CELL name card pcm          a cell begins
#   ITER n fault_round_ns xruns  pcm-touch and pcm-xruns results
#   PMARK k                     pagelat's k-th mark ends iteration n
#   AMARK k                     allocs' and dmamap's k-th mark ends the cell
# stdout: "# cell NAME" for the host's progress line.
#
# $1: boot (direct, swiotlb, iommu)  $2: iterations  $3: quick|full
# $4: shared dir (pcm-touch and pcm-xruns are there)  $5: cell filter: a
# glob, or several separated by commas (a lab shard lists its cells so)
# With --plan first, it only lists the boot's cells (the host counts them
# before it boots anything) and touches nothing; --plan-lines lists them
# with their card, PCM, bytes and .page variant (tools/bench/guest-why.sh).
plan_only=
[ "$1" = --plan ] && plan_only=names && shift
# --plan-lines: the whole plan lines, "name card pcm bytes variant"
[ "$1" = --plan-lines ] && plan_only=lines && shift
boot=$1 iter=$2 level=$3 dir=$4 filter=${5:-*}
repo=$(cd "$(dirname "$0")/../.." && pwd)
# the CLI (S) and the driver's PCI driver name, as tools/bench/matrix
# sets them for another build of either (sgscope bisect)
S=${S:-$repo/build/sgscope/sgscope}
pci_driver=/sys/bus/pci/drivers/${SGSCOPE_PCI_DRIVER:-snd_sgscope}

sizes="65536 262144 1048576"
conditions="none order1 fragment lowmem"
[ "$level" = quick ] && sizes=262144 && conditions="none order1"
# pcm2 three times: its .page by vmalloc_to_page, from the cached page
# array, and mapped at mmap time with no .page at all (the limit)
strategies="0 1 2:lookup 2:cached 2:premapped 3"
peers=
[ "$boot" = direct ] && peers="intel8x0 dummy"

matches() {
	_rest=$filter,
	while [ -n "$_rest" ]; do
		# shellcheck disable=SC2254
		case $1 in ${_rest%%,*}) return 0 ;; esac
		_rest=${_rest#*,}
	done
	return 1
}

# the cells of this boot, in the order they run: "name card-id pcm bytes variant"
plan() {
	for cond in $conditions; do
		for s in $strategies; do
			pcm=${s%%:*} variant=${s#*:} name=pcm${s%%:*}
			[ "$variant" = "$s" ] && variant=- || name=$name-$variant
			for bytes in $sizes; do
				cell=$name/$boot/$((bytes / 1024))k/$cond
				matches "$cell" && echo "$cell sgscope $pcm $bytes $variant"
			done
		done
	done
	# conditions outer here too: both peers run under one arming
	for cond in $conditions; do
		for peer in $peers; do
			cell=$peer/$boot/64k/$cond
			matches "$cell" && echo "$cell $peer 0 65536 -"
		done
	done
}
if [ "$plan_only" = names ]; then
	plan | cut -d' ' -f1
	exit 0
elif [ -n "$plan_only" ]; then
	plan
	exit 0
fi
plan >/tmp/plan
[ -s /tmp/plan ] || exit 0
# The tracers and the cell log write to the guest's tmpfs, copied to the
# shared folder at the end: a 9p write completes at host time, and under
# icount a guest waiting on the host skips ahead to its next timer, so no
# 9p I/O happens while a cell runs.
out=/tmp/trace
mkdir -p "$out" "$dir/$boot"
trap 'cp "$out"/* "$dir/$boot/"' EXIT
cp "$dir/pcm-touch" "$dir/pcm-xruns" /tmp/
log=$out/cells.txt
: >"$log"

# Polls, bounded by a count, not by guest time: under icount a guest that
# waits for the host skips ahead to its next timer, and the sleeps here
# cost no wall time.
waitfor() { # FILE PATTERN [COUNT]
	for _ in $(seq 6000); do
		[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		sleep 0.05
	done
	echo "# timed out waiting for $2 in $1" >&2
	return 1
}
loaded_dummy='' dummy_card=''
load_dummy() {
	[ -z "$dummy_card" ] || return 0
	modprobe snd-dummy >&2 || return 1
	loaded_dummy=1
	dummy_card=$(sed -n 's/^ *\([0-9]*\) \[Dummy *\].*/\1/p' /proc/asound/cards)
}
# snd-dummy before the tracers, so that pagelat finds its .page op when it
# starts and times it from the first fault on (one it meets later it
# probes only after that op's first fault)
if grep -q ' dummy ' /tmp/plan; then
	load_dummy || { echo "# snd-dummy would not load" >&2; exit 1; }
fi
# One CPU measures.  Under icount every vCPU's instructions advance the
# one guest clock, so whatever another CPU runs (a kworker, kmemleak's
# scan, a helper's poll) lands in the measured windows and stretches every
# part of them alike: an allocation's parts grew 18-35% together when
# another CPU was busy.  The others go offline while the cells run and
# come back at the end; what still interrupts CPU 0 is the irq and off-cpu
# parts of sgscope allocs' split.
offlined=
for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
	[ "${cpu##*cpu}" != 0 ] && [ -w "$cpu/online" ] && [ "$(cat "$cpu/online")" = 1 ] || continue
	echo 0 >"$cpu/online" && offlined="$offlined $cpu"
done
echo "CPUS $(grep -c ^processor /proc/cpuinfo)"
# A planted cost (sgscope bench --cost, BENCH_COST=FUNC=INSNS,...), armed
# before the tracers: a function's BPF trampoline runs the programs
# attached last first, so at a function the tracers time too, their entry
# probe runs before the cost's loop and the loop is inside their window.
cost_pid=
if [ -n "${BENCH_COST:-}" ]; then
	set --
	for c in $(echo "$BENCH_COST" | tr , ' '); do set -- "$@" --cost "$c"; done
	taskset -c 0 "$S" inject "$@" -d 7200 2>/tmp/cost.err & cost_pid=$!
	waitfor /tmp/cost.err armed $(($# / 2)) || { cat /tmp/cost.err >&2; exit 1; }
	for c in $(echo "$BENCH_COST" | tr , ' '); do echo "COST ${c%%=*} ${c#*=}"; done
fi
# sgscope TOOL OUTPUT: trace everything (cells are told apart afterwards).
# The tracers share CPU 0 with the workload: woken by an event, a tracer
# on the other vCPU would run inside the measured window (under icount,
# every vCPU's instructions advance the one guest clock, and QEMU
# interleaves the vCPUs in slices); on CPU 0 it runs when the workload
# leaves the kernel, the same way in every run.
taskset -c 0 "$S" allocs --json >"$out/allocs.jsonl" 2>"$out/allocs.err" & apid=$!
taskset -c 0 "$S" dmamap --json >"$out/dmamap.jsonl" 2>"$out/dmamap.err" & dpid=$!
taskset -c 0 "$S" pagelat --json >"$out/pagelat.jsonl" 2>"$out/pagelat.err" & ppid=$!
for t in allocs dmamap pagelat; do waitfor "$out/$t.jsonl" '"start"' || exit 1; done
pmarks=0 amarks=0


inject_pid=
arm() {
	case $1 in
	none) return 0 ;;
	order1) "$S" inject --order 1 -d 7200 2>/tmp/inject.err & inject_pid=$! ;;
	# no free block of order >= 4 (64 KiB): pcm1's 256 KiB and 1 MiB
	# take the SG fallback on their own, from blocks of order 3 and less
	fragment) "$S" inject --fragment 100 --order-min 4 -d 7200 2>/tmp/inject.err & inject_pid=$! ;;
	lowmem) "$S" inject --lowmem 0 -d 7200 2>/tmp/inject.err & inject_pid=$! fills=1 ;;
	esac
	waitfor /tmp/inject.err armed
}
# lowmem: free memory back down to the min watermark before every
# iteration (the one before took what it reclaimed, then freed it)
refill() {
	[ "$1" = lowmem ] || return 0
	kill -USR1 "$inject_pid"
	fills=$((fills + 1))
	waitfor /tmp/inject.err 'lowmem filled' $fills
}
disarm() {
	[ -n "$inject_pid" ] && kill -INT "$inject_pid" && wait "$inject_pid"
	inject_pid=
}

# peers take the AC97 device from snd-sgscope, so they come last, loaded
# together before the first of their conditions is armed (a module's own
# buffer allocation is not made under a condition) and kept until
# give_back; sets intel8x0_card, dummy_card and moved (the device, to give
# back)
moved='' intel8x0_card=''
load_peers() {
	if [ -z "$intel8x0_card" ]; then
		moved=$(basename "$(readlink -f "$pci_driver"/0000:*)")
		echo "$moved" >"$pci_driver/unbind" && modprobe snd-intel8x0 >&2 ||
			return 1
		intel8x0_card=$(basename /sys/bus/pci/devices/"$moved"/sound/card* | sed 's/card//')
	fi
	load_dummy
}
# the machine as it was: the device back with snd-sgscope, peers unloaded
give_back() {
	[ -n "$loaded_dummy" ] && modprobe -r snd-dummy
	[ -n "$moved" ] || return 0
	echo "$moved" >/sys/bus/pci/drivers/snd_intel8x0/unbind
	basename "$pci_driver" >/sys/bus/pci/devices/"$moved"/driver_override
	echo "$moved" >"$pci_driver/bind"
	echo >/sys/bus/pci/devices/"$moved"/driver_override
	modprobe -r snd-intel8x0
}

current=
# card 0 in the test machine; on a lab machine (--local) whatever it got
sgscope_card=$(sed -n 's/^ *\([0-9]*\) \[sgscope *\].*/\1/p' /proc/asound/cards)
[ -n "$sgscope_card" ] || { echo "# no sgscope card in /proc/asound/cards" >&2; exit 1; }
# the card's knobs in debugfs; BENCH_PAGE_DELAY_NS sets page_delay_ns (a
# slower pcm2 .page) for every cell, and run.json records them all
knobs=/sys/kernel/debug/sgscope/card$sgscope_card
delay_before=$(cat "$knobs/page_delay_ns") || exit 1
if [ -n "${BENCH_PAGE_DELAY_NS:-}" ]; then
	echo "$BENCH_PAGE_DELAY_NS" >"$knobs/page_delay_ns" ||
		{ echo "# the driver refused page_delay_ns '$BENCH_PAGE_DELAY_NS'" >&2; exit 1; }
fi
for k in vmalloc_page page_delay_ns max_buffer_kb; do
	v=$(cat "$knobs/$k") || exit 1
	echo "KNOB $k $v"
done
# each PCM's strategy: its id, as the driver names it (run.json)
for info in /proc/asound/card"$sgscope_card"/pcm*p/info; do
	echo "PCM $(sed -n 's/^device: //p' "$info") $(sed -n 's/^id: //p' "$info")"
done
while read -r cell card pcm bytes variant; do
	cond=${cell##*/}
	# a new condition (the peers' conditions come after snd-sgscope's):
	# re-arm
	key="$cond"
	[ "$card" = sgscope ] || key="peers $cond"
	if [ "$key" != "$current" ]; then
		disarm
		if [ "$card" != sgscope ]; then
			load_peers || { echo "# the peers would not load" >&2; exit 1; }
		fi
		arm "$cond" || exit 1
		current=$key
	fi
	case $card in
	sgscope) cardno=$sgscope_card ;;
	intel8x0) cardno=$intel8x0_card ;;
	dummy) cardno=$dummy_card ;;
	esac
	[ "$variant" = - ] || echo "$variant" >"$knobs/vmalloc_page"
	# Every cell starts from the same allocator state: memory compacted,
	# so that a high-order allocation does not pay for the compaction the
	# cells before it made necessary (pcm3's 256 KiB took 8-12 ms instead
	# of 0.6 after the vmalloc cells).  Not under fragment or lowmem,
	# whose state is the condition.
	case $cond in none | order1) echo 1 >/proc/sys/vm/compact_memory ;; esac
	echo "# cell $cell"
	echo "CELL $cell $cardno $pcm" >>"$log"
	for i in $(seq "$iter"); do
		# no pipe: a reader on the other vCPU would run inside the
		# measured rounds, and under icount every vCPU's instructions
		# advance the one guest clock
		refill "$cond" || exit 1
		taskset -c 0 /tmp/pcm-touch "hw:$cardno,$pcm" $((bytes / 4)) 20 >/tmp/touch.out
		ns=$(sed -n 's/^ns_round_min //p' /tmp/touch.out)
		kill -USR1 $ppid
		pmarks=$((pmarks + 1))
		waitfor "$out/pagelat.jsonl" '"mark"' $pmarks || exit 1
		xruns=$(/tmp/pcm-xruns "hw:$cardno,$pcm" $((bytes / 4)) 300 | sed -n 's/^xruns //p')
		echo "ITER $i ${ns:-null} ${xruns:-null}" >>"$log"
		echo "PMARK $pmarks" >>"$log"
	done
	kill -USR1 $apid $dpid
	amarks=$((amarks + 1))
	waitfor "$out/allocs.jsonl" '"mark"' $amarks && waitfor "$out/dmamap.jsonl" '"mark"' $amarks ||
		exit 1
	echo "AMARK $amarks" >>"$log"
	[ "$variant" = - ] || echo lookup >"$knobs/vmalloc_page"
done </tmp/plan
disarm
echo "$delay_before" >"$knobs/page_delay_ns"
[ -z "$cost_pid" ] || { kill -INT "$cost_pid"; wait "$cost_pid"; }
kill -INT $apid $dpid $ppid
wait $apid $dpid $ppid
give_back
for cpu in $offlined; do echo 1 >"$cpu/online"; done
echo "# boot $boot done"
