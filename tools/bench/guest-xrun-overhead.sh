#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: what tracing for `sgscope xrun` costs, per context
# switch and per period of a running stream, without tracing, under
# sgscope xrun and under a bpftrace script that traces the same events
# (the scheduler's switches and wake-ups, interrupt entry and exit, and
# the PCM core's functions xrun probes), alternating, REPEATS times.
#   per switch: cpu-work pingpong, ROUNDS round trips on CPU 0;
#   per period: cpu-work spin, a SCHED_IDLE loop on CPU 0 for MS ms while
#               pcm-player plays on CPU 0 (periods of 256 frames at
#               48 kHz), started once the stream runs: the iterations
#               the tracer took away, at the loop's cost per iteration
#               (the loop alone, XIDLE), over the periods in the window.
# Prints "XSWITCH condition switches ns", "XSPIN condition iterations
# periods", "XIDLE ms iterations" and "XCOUNT condition xruns".
# $1: folder with cpu-work and pcm-player, $2: rounds, $3: repeats, $4: ms,
# $5 and $6: the kernel's source and build folders (the test kernel's
# modules carry no headers, and bpftrace reads a tracepoint's arguments
# from them)
dir=$1 rounds=${2:-20000} repeats=${3:-3} ms=${4:-2000}
export BPFTRACE_KERNEL_SOURCE=$5 BPFTRACE_KERNEL_BUILD=$6
here=$(cd "$(dirname "$0")" && pwd)
S=$(cd "$here/../.." && pwd)/build/sgscope/sgscope
. "$here/guest-lib.sh"
period=256 rate=48000
SCRIPT='BEGIN { printf("attached\n"); }
tracepoint:sched:sched_switch { @on_cpu[cpu] = (nsecs, args->next_pid, args->prev_state); }
tracepoint:sched:sched_wakeup { @woken[args->pid] = nsecs; }
tracepoint:irq:irq_handler_entry { @irq[cpu] = nsecs; }
tracepoint:irq:irq_handler_exit { delete(@irq[cpu]); }
kfunc:snd_pcm_period_elapsed_under_stream_lock { @period[args->substream] = nsecs; }
kfunc:pcm_lib_apply_appl_ptr { @appl[args->substream] = (nsecs, args->appl_ptr); }
kfunc:__snd_pcm_lib_xfer { @xfer[tid] = nsecs; }
kretfunc:__snd_pcm_lib_xfer { delete(@xfer[tid]); }
kfunc:snd_pcm_poll { @poll[tid] = nsecs; }
kfunc:__snd_pcm_xrun { @xruns = count(); }'

# from tmpfs: nothing in the measured window waits on 9p (host time)
cp "$dir/cpu-work" "$dir/pcm-player" /tmp/
running() { grep -qs 'state: RUNNING' /proc/asound/sgscope/pcm1p/sub0/status; }
measure() { # CONDITION
	taskset -c 0 /tmp/cpu-work pingpong "$rounds" >/tmp/pp.out
	echo "XSWITCH $1 $(sed -n 's/^switches //p' /tmp/pp.out) $(sed -n 's/^ns //p' /tmp/pp.out)"
	taskset -c 0 /tmp/pcm-player hw:sgscope,1 -b 1024 -p $period -t $((ms + 2000)) >/tmp/player.out &
	p=$!
	until running; do sleep 0.05; done
	taskset -c 0 /tmp/cpu-work spin "$ms" >/tmp/spin.out
	wait $p
	echo "XSPIN $1 $(sed -n 's/^iterations //p' /tmp/spin.out) $((ms * rate / 1000 / period))"
	echo "XCOUNT $1 $(sed -n 's/^xruns //p' /tmp/player.out)"
}

echo "CLOCK $(sed -n 's/.*sgscope_clock=\([^ ]*\).*/\1/p' /proc/cmdline)"
measure warmup >/dev/null
taskset -c 0 /tmp/cpu-work spin "$ms" >/tmp/spin.out
echo "XIDLE $ms $(sed -n 's/^iterations //p' /tmp/spin.out)"
for _ in $(seq "$repeats"); do
	measure none
	"$S" xrun -c sgscope >/tmp/xrun.out 2>/tmp/xrun.err &
	pid=$!
	started /tmp/xrun.err Tracing || echo "# sgscope did not start: $(cat /tmp/xrun.err)"
	measure sgscope
	kill -INT $pid; wait $pid
	bpftrace -e "$SCRIPT" >/tmp/bpftrace.out 2>&1 &
	pid=$!
	started /tmp/bpftrace.out '^attached' || echo "# bpftrace did not start: $(cat /tmp/bpftrace.out)"
	measure bpftrace
	kill -INT $pid; wait $pid
done
