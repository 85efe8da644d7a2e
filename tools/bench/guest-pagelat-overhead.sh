#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: what tracing the PCM mmap fault path costs.  The
# workload opens pcm2 (vmalloc, .page) once, then maps its 256 KiB buffer
# and faults every page, ROUNDS times; it runs without tracing, under sgscope pagelat and
# under the equivalent bpftrace one-liner, alternating, REPEATS times.
# Prints "RESULT condition ns_per_round" lines, and the pages a round
# faults ("PAGES n").
# $1: folder with pcm-touch and for output, $2: rounds, $3: repeats
dir=$1 rounds=${2:-200} repeats=${3:-5}
S=$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope
. "$(dirname "$0")/guest-lib.sh"
# bpftrace 0.17 names fentry/fexit kfunc/kretfunc.  It prints "Attaching"
# before it attaches, and a SIGINT that lands while the trampolines are
# still going in (slow under TCG) is lost and bpftrace never exits: BEGIN
# runs once every probe is attached, so its line is the one to wait for.
ONELINER='BEGIN { printf("attached\n"); }
kfunc:snd_pcm_mmap_data_fault { @start[tid] = nsecs; }
kretfunc:snd_pcm_mmap_data_fault /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }'

# pcm-touch from tmpfs, its output to tmpfs and read afterwards: no 9p I/O
# and no reader on the other vCPU during the measured rounds (under icount
# every vCPU's instructions advance the one guest clock)
cp "$dir/pcm-touch" /tmp/pcm-touch
workload() {
	taskset -c 0 /tmp/pcm-touch hw:sgscope,2 65536 "$rounds" >/tmp/touch.out
	sed -n 's/^ns_round_min //p' /tmp/touch.out
}

# the clock every number below is in (tools/vm's sgscope_clock=)
echo "CLOCK $(sed -n 's/.*sgscope_clock=\([^ ]*\).*/\1/p' /proc/cmdline)"
workload >/dev/null	# warm up: page cache, first-time allocations
echo "PAGES $(sed -n 's/^pages //p' /tmp/touch.out)"
for r in $(seq "$repeats"); do
	echo "RESULT none $(workload)"

	# the tracers share the workload's CPU, as in the benchmark matrix;
	# sgscope as the one-liner measures (the faults: --no-op), then with
	# the .page op timed inside each fault as well
	for v in sgscope:--no-op sgscope-op:; do
		taskset -c 0 "$S" pagelat -c sgscope ${v#*:} >/tmp/sgscope.out 2>/tmp/sgscope.err &
		pid=$!
		started /tmp/sgscope.err Tracing || echo "# sgscope did not start: $(cat /tmp/sgscope.err)"
		echo "RESULT ${v%%:*} $(workload)"
		kill -INT $pid; wait $pid
		echo "ATTACH ${v%%:*} $(sed -n 's/^Tracing.*(\(.*\)).*/\1/p' /tmp/sgscope.err | head -1)"
		echo "COUNT ${v%%:*} $(awk '/^count/ { print $2 }' /tmp/sgscope.out | tail -1)"
	done

	taskset -c 0 bpftrace -e "$ONELINER" >/tmp/bpftrace.out 2>&1 &
	pid=$!
	started /tmp/bpftrace.out '^attached' || echo "# bpftrace did not start: $(cat /tmp/bpftrace.out)"
	echo "RESULT bpftrace $(workload)"
	kill -INT $pid; wait $pid
	echo "COUNT bpftrace $(sed -n 's/.*[])] *\([0-9][0-9]*\) |.*/\1/p' /tmp/bpftrace.out | paste -sd+ | bc)"
done
