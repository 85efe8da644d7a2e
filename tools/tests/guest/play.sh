#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine, recording to --wav: play every input of $1 through
# its PCM (in-pcmN-MODE.wav, MODE rw or mmap), then, unless $2 is
# "plain", pcm1 with its buffer forced into single-page chunks (that takes
# fail_page_alloc).  The host checks the recording.
dir=$1 plain=${2:-}
. "$(dirname "$0")/lib.sh"
start_checks
sgscope_card
dbg=$debugfs
amixer -q -c sgscope sset Master 100% unmute && amixer -q -c sgscope sset PCM 100% unmute
echo "# card $card"
# The inputs from tmpfs: a read from the 9p share completes at host time,
# and under icount the guest's clock runs on while it waits, the device's
# DMA with it (an underrun when the host is busy)
in=/tmp/play-in
mkdir -p $in && cp "$dir"/in-*.wav $in/

for pcm in 0 1 2 3; do
	for mode in rw mmap; do
		flag=""; [ $mode = mmap ] && flag=-M
		aplay -q -D hw:sgscope,$pcm $flag "$in/in-pcm$pcm-$mode.wav"
		check $? "play: aplay through the PCM exits 0 (pcm$pcm, $mode)"
	done
done

# pcm2 with debugfs vmalloc_page=premapped: its buffer mapped whole at mmap time,
# so aplay -M plays through it without a single .page call
param=$dbg/vmalloc_page
calls() { sed -n 's/^page_callbacks //p' "$dbg/counters"; }
before=$(calls)
echo premapped >$param
aplay -q -D hw:sgscope,2 -M "$in/in-pcm2-premapped.wav"
rc=$?
echo lookup >$param
check $rc "play: aplay mmap through pcm2 premapped exits 0"
# and it played: a mapping nobody wrote through proves nothing
after=$(calls)
[ "$rc" = 0 ] && [ -n "$before" ] && [ "$after" = "$before" ]
check $? "play: pcm2 premapped takes no .page call ($before before, $after after)"

[ "$plain" = plain ] && finish

# pcm1 forced into the SG fallback: a 1 MiB buffer of single pages.
. "$(dirname "$0")/sg-fallback.sh"
sg_fallback_on
T=/sys/kernel/tracing
echo >$T/trace
echo 1 >$T/events/sgscope/sgscope_alloc/enable
echo 1 >$T/events/sgscope/sgscope_irq/enable
# through a FIFO, so that the stream stays open while its layout is read:
# the header and 64 KiB first, less than the buffer (aplay starts the
# stream once the buffer is full), then the rest
rm -f /tmp/chunked.fifo && mkfifo /tmp/chunked.fifo
taskset -c 0 aplay -q -D hw:sgscope,1 --buffer-size=262144 --period-size=4096 /tmp/chunked.fifo &
aplay_pid=$!
exec 5>/tmp/chunked.fifo
head -c $((44 + 65536)) "$in/in-chunked.wav" >&5
sg_layout $dbg/pcm1-playback
tail -c +$((44 + 65536 + 1)) "$in/in-chunked.wav" >&5
exec 5>&-
wait $aplay_pid && rc=0 || rc=$?
sg_fallback_off
echo 0 >$T/events/sgscope/enable
alloc=$(grep -c "sgscope_alloc: card=$card pcm=1 stream=0 strategy=sg .* chunks=$chunks .*fell_back=1 err=0" $T/trace)
irqs=$(grep -c "sgscope_irq: card=$card engine=1 " $T/trace)
[ "$alloc" = 1 ]
check $? "trace: sgscope_alloc reports the fallback and its $chunks chunks ($alloc events)"
[ "$irqs" -gt 0 ]
check $? "trace: sgscope_irq fires on the PO engine ($irqs)"
echo "# pcm1 forced: chunks $chunks, descriptors $descs, fell_back $fell_back"
check $rc "play: pcm1 with a chunked buffer plays (aplay exit $rc)"
[ "$fell_back" = 1 ]
check $? "play: pcm1's allocation fell back to SG (debugfs: $fell_back)"
# How many chunks the page allocator hands out is its choice (usually
# 100-255); what the ring must show is a buffer of several chunks whose
# descriptors (64 periods, split at chunk ends) overflow the 32 slots.
[ "${chunks:-0}" -ge 2 ]
check $? "play: debugfs shows a buffer of several chunks ($chunks)"
[ "${descs:-0}" -gt 32 ]
check $? "play: the chunked buffer needs more than 32 descriptors ($descs)"
finish
