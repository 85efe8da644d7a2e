#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: capture on every PCM, the error cases (pcm-checks),
# unbind/bind cycles under playback, then kmemleak and the kernel log.
# $1: folder with pcm-checks and short.wav, writable for recordings.
# $2: unbind/bind cycles (default 50)
dir=$1 cycles=${2:-50}
. "$(dirname "$0")/lib.sh"
# pcm-checks' subcommands (tools/tests/pcm-checks.c) print blocks of their own
start_checks
sgscope_card
kmemleak=/sys/kernel/debug/kmemleak
# only leaks from now on count
echo clear >$kmemleak 2>/dev/null
dmesg -C

for pcm in 0 1 2 3; do
	rm -f "$dir/cap.wav"
	arecord -q -D hw:sgscope,$pcm -f S16_LE -c 2 -r 48000 -s 24000 "$dir/cap.wav"
	rc=$?
	size=$(stat -c %s "$dir/cap.wav" 2>/dev/null || echo 0)
	[ "$rc" = 0 ] && [ "$size" = $((44 + 24000 * 4)) ]
	check $? "capture: arecord of 24000 frames on pcm$pcm returns 24000 frames ($size bytes, exit $rc)"
done
stage capture

# the interrupt handler's injected busy-wait is bounded: a delay past the
# limit is refused and leaves the knob as it was; one within it is taken
# and the card still plays
knob=$debugfs/inject_irq_delay_us
limit=$(sed -n 's/^#define SGSCOPE_IRQ_DELAY_MAX_US[[:space:]]*\([0-9]*\).*/\1/p' \
	"$(dirname "$0")/../../../driver/sgscope.h")
echo $((limit + 1)) >$knob 2>/dev/null
rc=$?
[ "${limit:-0}" -gt 0 ] && [ "$rc" != 0 ] && [ "$(cat $knob)" = 0 ]
check $? "debugfs: inject_irq_delay_us refuses a delay past its limit (limit ${limit:-not found} us; write exit $rc, now $(cat $knob))"
echo 200 >$knob && aplay -q -D hw:sgscope,0 "$dir/short.wav"
rc=$?
echo 0 >$knob
check $rc "debugfs: with inject_irq_delay_us 200, pcm0 still plays (exit $rc)"

for what in busy einval enomem mmap loops periods; do
	"$dir/pcm-checks" $what
	stage "pcm-checks $what"
done

# unbind and bind while aplay plays: the card goes away under it and comes
# back, $cycles times.
drv=/sys/bus/pci/drivers/snd_sgscope
dev=$(basename "$(readlink -f $drv/0000:*)")
amixer -q -c sgscope sset Master 100% unmute
bad=0
for i in $(seq "$cycles"); do
	aplay -q -D hw:sgscope,$((i % 4)) "$dir/short.wav" 2>/dev/null &
	sleep 0.05
	echo "$dev" >$drv/unbind || bad=$((bad + 1))
	wait
	echo "$dev" >$drv/bind || bad=$((bad + 1))
	[ -n "$(card_of sgscope)" ] || bad=$((bad + 1))
done
check $bad "unbind/bind: $cycles cycles with playback running ($bad failed)"
stage unbind/bind
aplay -q -D hw:sgscope,1 "$dir/short.wav"
check $? "unbind/bind: the card plays afterwards"

# hand the device to the mainline snd-intel8x0 and back (docs/driver.md's recipe)
to_intel8x0 "$dev" && aplay -q -D "hw:$intel_card,0" "$dir/short.wav"
check $? "move: snd-intel8x0 takes the device and plays"
back_to_sgscope "$dev"
check $? "move: snd-sgscope takes it back, snd-intel8x0 unloads"
aplay -q -D hw:sgscope,2 "$dir/short.wav"
check $? "move: snd-sgscope plays again"
stage move

if [ -e $kmemleak ]; then
	echo scan >$kmemleak; sleep 1; echo scan >$kmemleak
	leaks=$(grep -c 'unreferenced object' $kmemleak)
	check $([ "$leaks" = 0 ]; echo $?) "kmemleak: no leak reported ($leaks)"
	[ "$leaks" = 0 ] || head -40 $kmemleak | sed 's/^/#   /'
else
	check 1 "kmemleak: /sys/kernel/debug/kmemleak exists"
fi
bad=$(dmesg | grep -E -c 'WARNING:|BUG:|Oops|Call Trace')
check $([ "$bad" = 0 ]; echo $?) "dmesg: no WARN, BUG or oops"
[ "$bad" = 0 ] || dmesg | grep -E -A12 'WARNING:|BUG:|Oops' | head -40 | sed 's/^/#   /'
finish
