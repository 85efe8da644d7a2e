#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: what tracing the PCM mmap fault path costs.  The
# workload opens pcm2 (vmalloc, .page) once, then maps its 256 KiB buffer
# and faults every page, ROUNDS times; it runs without tracing, under sgscope pagelat and
# under the equivalent bpftrace one-liner, alternating, REPEATS times.
# Prints "RESULT condition ns_per_round" lines.
# $1: folder with pcm-touch and for output, $2: rounds, $3: repeats
dir=$1 rounds=${2:-200} repeats=${3:-5}
S=$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope
# bpftrace 0.17 names fentry/fexit kfunc/kretfunc.  It prints "Attaching"
# before it attaches, and a SIGINT that lands while the trampolines are
# still going in (slow under TCG) is lost and bpftrace never exits: BEGIN
# runs once every probe is attached, so its line is the one to wait for.
ONELINER='BEGIN { printf("attached\n"); }
kfunc:snd_pcm_mmap_data_fault { @start[tid] = nsecs; }
kretfunc:snd_pcm_mmap_data_fault /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }'

workload() { taskset -c 0 "$dir/pcm-touch" hw:sgscope,2 65536 "$rounds" | sed -n 's/^ns_per_round //p'; }
started() {
	for i in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

workload >/dev/null	# warm up: page cache, first-time allocations
for r in $(seq "$repeats"); do
	echo "RESULT none $(workload)"

	"$S" pagelat -c sgscope >"$dir/sgscope.out" 2>"$dir/sgscope.err" &
	pid=$!
	started "$dir/sgscope.err" Tracing || echo "# sgscope did not start: $(cat "$dir/sgscope.err")"
	echo "RESULT sgscope $(workload)"
	kill -INT $pid; wait $pid
	echo "ATTACH sgscope $(sed -n 's/.*(\(.*\)).*/\1/p' "$dir/sgscope.err" | head -1)"
	echo "COUNT sgscope $(awk '/^count/ { print $2 }' "$dir/sgscope.out" | tail -1)"

	bpftrace -e "$ONELINER" >"$dir/bpftrace.out" 2>&1 &
	pid=$!
	started "$dir/bpftrace.out" '^attached' || echo "# bpftrace did not start: $(cat "$dir/bpftrace.out")"
	echo "RESULT bpftrace $(workload)"
	kill -INT $pid; wait $pid
	echo "COUNT bpftrace $(sed -n 's/.*[])] *\([0-9][0-9]*\) |.*/\1/p' "$dir/bpftrace.out" | paste -sd+ | bc)"
done
