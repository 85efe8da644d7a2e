#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The smallest-safe-buffer trial, in the test machine (tools/soak/run -T
# boots it with one AC97 card per PCM, as for the soak): for each buffer
# size of SIZES (frames, largest first), card K plays and captures its PCM
# K at once (pcm-soak, two periods of half the size, no restart and no
# provoked xrun) for SECONDS of guest time, all four cards side by side.
# CONDITION is what else happens meanwhile: none, or memory in trouble
# (fragment: no free block of order 1 or more; lowmem: free memory at the
# watermark; pressure: a cgroup under memory pressure), each held by
# `sgscope inject` for the whole step, or slowirq: every card's interrupt
# handler SLOW_IRQ_US late (the driver's inject_irq_delay_us), as a
# machine whose interrupts another driver holds up.  Outputs, copied to OUT at the end:
# trial-SIZE-K.jsonl (each pcm-soak's events and summaries) and
# trial.jsonl (a line per step: size, condition, whether the condition
# held the whole step, guest time).
# usage: guest-trial.sh OUT SECONDS SIZES CONDITION
out=$1 seconds=$2 sizes=$3 condition=${4:-none}
work=/tmp/trial
mkdir -p $work
cp "$out/pcm-soak" $work/
sgscope=$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope
cards=$(ls -d /proc/asound/card[0-9]* | wc -l)
# a handler late by less than the shortest period a small buffer has
SLOW_IRQ_US=5000
dbg=/sys/kernel/debug/sgscope
slow= load=
case $condition in
none) ;;
slowirq) slow=$SLOW_IRQ_US ;;
fragment) load="--fragment 100" ;;
lowmem) load="--lowmem 16" ;;
pressure) load="--pressure 256" ;;
*) echo "guest-trial.sh: CONDITION is none, fragment, lowmem, pressure or slowirq, not '$condition'" >&2; exit 2 ;;
esac

# the codecs come up muted: full volume, unmuted, capturing
for k in $(seq 0 $((cards - 1))); do
	amixer -q -c "$k" sset Master 100% unmute && amixer -q -c "$k" sset PCM 100% unmute &&
		amixer -q -c "$k" sset Capture 100% cap
done
: >$work/trial.jsonl
for size in $(echo "$sizes" | tr , ' '); do
	read -r t0 _ </proc/uptime
	lpid= armed=true
	if [ -n "$load" ]; then
		# the condition holds from before the streams open to after they
		# end: they start once inject says it is armed (taking memory
		# apart can take a minute of guest time) and it disarms on TERM
		$sgscope inject $load -d $((seconds * 10 + 600)) >$work/inject-$size.log 2>&1 &
		lpid=$!
		armed=false
		n=0
		while [ $n -lt 600 ] && kill -0 $lpid 2>/dev/null; do
			grep -q 'armed:' $work/inject-$size.log && armed=true && break
			sleep 1
			n=$((n + 1))
		done
	fi
	pids=
	for k in $(seq 0 $((cards - 1))); do
		[ -z "$slow" ] || echo "$slow" >$dbg/card$k/inject_irq_delay_us
		$work/pcm-soak -r 0 -x 0 -p $((size / 2)) -n 2 "$seconds" "hw:$k,$k" $((size + k)) - \
			>$work/trial-$size-$k.jsonl 2>$work/trial-$size-$k.err &
		pids="$pids $!"
	done
	rcs=
	for p in $pids; do
		wait "$p"
		rcs="$rcs${rcs:+,}$?"
	done
	if [ -n "$lpid" ]; then
		kill -0 $lpid 2>/dev/null || armed=false
		kill -TERM $lpid 2>/dev/null
		wait "$lpid"
		cat $work/inject-$size.log >>$work/inject.log
	fi
	for k in $(seq 0 $((cards - 1))); do
		[ -z "$slow" ] || echo 0 >$dbg/card$k/inject_irq_delay_us
	done
	read -r t1 _ </proc/uptime
	echo "{\"size\":$size,\"condition\":\"$condition\",\"armed\":$armed,\"t0\":$t0,\"t1\":$t1,\"exits\":[$rcs]}" >>$work/trial.jsonl
	echo "# trial: $size frames under $condition: pcm-soak exits $rcs"
done
cp $work/*.jsonl $work/*.err "$out/" 2>/dev/null
if [ -e $work/inject.log ]; then
	cp $work/inject.log "$out/"
fi
