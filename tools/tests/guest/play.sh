#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine, recording to --wav: play every input of $1 through
# its PCM (in-pcmN-MODE.wav, MODE rw or mmap), then pcm1 with its buffer
# forced into single-page chunks.  The host checks the recording.
dir=$1
card=$(grep -l '^sgscope$' /proc/asound/card*/id | sed 's|.*/card\([0-9]*\)/id|\1|')
dbg=/sys/kernel/debug/sgscope/card$card
amixer -q -c sgscope sset Master 100% unmute && amixer -q -c sgscope sset PCM 100% unmute
echo "# card $card"

for pcm in 0 1 2 3; do
	for mode in rw mmap; do
		flag=""; [ $mode = mmap ] && flag=-M
		if aplay -q -D hw:sgscope,$pcm $flag "$dir/in-pcm$pcm-$mode.wav"; then
			echo "ok - play: aplay $mode through pcm$pcm exits 0"
		else
			echo "not ok - play: aplay $mode through pcm$pcm exits 0"
		fi
	done
done

# pcm1 with every allocation of order >= 1 inside snd_dma_alloc_dir_pages
# failing (fail_page_alloc with a stack filter: nothing else is touched), so
# the DEV_SG allocation of a 1 MiB buffer falls back to single pages.
# Single pages handed out one after another are often neighbours, which
# ALSA counts as one chunk.  So first interleave the pages of pairs of pipes
# (unmovable pages, like ALSA's) and close one pipe of each pair: its freed
# pages are isolated, and on CPU 0, where the play runs, they are the next
# single pages handed out.  aplay's own start-up (page tables, slab) eats
# some of them first, so isolate 2048 pages for the 256 the buffer needs.
taskset -c 0 python3 -c '
import fcntl, os, time
pairs = [(os.pipe(), os.pipe()) for _ in range(8)]
for a, b in pairs:
    for fd in (a[1], b[1]):
        fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ: room for 256 pages
    for i in range(256):
        os.write(a[1], bytes(4096))
        os.write(b[1], bytes(4096))
for a, b in pairs:
    os.close(b[0]); os.close(b[1])
open("/tmp/fragmented", "w").close()
time.sleep(120)
' &
holder=$!
for i in $(seq 100); do [ -e /tmp/fragmented ] && break; sleep 0.1; done
F=/sys/kernel/debug/fail_page_alloc
sym() { grep " $1\$" /proc/kallsyms | cut -d' ' -f1; }
start=$(sym snd_dma_alloc_dir_pages)
end=$(sort /proc/kallsyms | grep -A1 " snd_dma_alloc_dir_pages\$" | tail -1 | cut -d' ' -f1)
echo 0x$start >$F/require-start; echo 0x$end >$F/require-end
echo N >$F/ignore-gfp-wait; echo 1 >$F/min-order; echo -1 >$F/times
echo N >$F/task-filter; echo 0 >$F/verbose; echo 100 >$F/probability
T=/sys/kernel/tracing
echo >$T/trace
echo 1 >$T/events/sgscope/sgscope_alloc/enable
echo 1 >$T/events/sgscope/sgscope_irq/enable
taskset -c 0 aplay -q -D hw:sgscope,1 --buffer-size=262144 --period-size=4096 "$dir/in-chunked.wav" &
chunks=0
for i in $(seq 100); do
	chunks=$(sed -n 's/^chunks //p' $dbg/pcm1-playback/layout)
	[ "$chunks" -gt 0 ] && break
	sleep 0.1
done
fell_back=$(sed -n 's/^fell_back //p' $dbg/pcm1-playback/layout)
descs=$(sed -n 's/^entries //p' $dbg/pcm1-playback/descriptors)
wait $! && rc=0 || rc=$?
kill $holder
echo 0 >$F/probability
echo 0 >$T/events/sgscope/enable
alloc=$(grep -c "sgscope_alloc: card=$card pcm=1 stream=0 strategy=sg .* chunks=$chunks .*fell_back=1 err=0" $T/trace)
irqs=$(grep -c "sgscope_irq: card=$card engine=1 " $T/trace)
[ "$alloc" = 1 ] && echo "ok - trace: sgscope_alloc reports the fallback and its $chunks chunks" ||
	echo "not ok - trace: sgscope_alloc reports the fallback and its $chunks chunks ($alloc events)"
[ "$irqs" -gt 0 ] && echo "ok - trace: sgscope_irq fires on the PO engine ($irqs)" ||
	echo "not ok - trace: sgscope_irq fires on the PO engine"
echo "# pcm1 forced: chunks $chunks, descriptors $descs, fell_back $fell_back"
[ "$rc" = 0 ] && echo "ok - play: pcm1 with a chunked buffer plays" ||
	echo "not ok - play: pcm1 with a chunked buffer plays (aplay exit $rc)"
[ "$fell_back" = 1 ] && echo "ok - play: pcm1's allocation fell back to SG (debugfs)" ||
	echo "not ok - play: pcm1's allocation fell back to SG (debugfs: $fell_back)"
# How many chunks the page allocator hands out is its choice (usually
# 100-255); what the ring must show is a buffer of several chunks whose
# descriptors (64 periods, split at chunk ends) overflow the 32 slots.
[ "${chunks:-0}" -ge 2 ] && echo "ok - play: debugfs shows a buffer of several chunks ($chunks)" ||
	echo "not ok - play: debugfs shows a buffer of several chunks ($chunks)"
[ "${descs:-0}" -gt 32 ] && echo "ok - play: the chunked buffer needs more than 32 descriptors ($descs)" ||
	echo "not ok - play: the chunked buffer needs more than 32 descriptors ($descs)"
