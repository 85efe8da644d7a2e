#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine under tools/vm --capture IN --wav OUT: capture from
# every PCM in rw and mmap mode into DIR/cap-pcmN-MODE.raw, pcm1 with its
# buffer forced into single-page chunks past the 32-slot ring (unless $2
# is "plain": that takes fail_page_alloc), and duplex: each PCM captures
# while it plays DIR/in-duplex-pcmN.wav.  The host finds each capture in IN
# and each play in OUT, bit for bit.
dir=$1 plain=${2:-}
frames=24000
. "$(dirname "$0")/lib.sh"
start_checks
sgscope_card
dbg=$debugfs
# QEMU's codec maps the record gain linearly onto its software volume: the
# maximum (ALSA's +22.5 dB) is unity gain, and anything lower scales.
amixer -q -c sgscope sset Master 100% unmute && amixer -q -c sgscope sset PCM 100% unmute &&
	amixer -q -c sgscope sset Capture 100% cap
echo "# card $card"
# Inputs and captures on tmpfs, the captures copied to DIR at the end: a
# 9p read or write completes at host time, and under icount the guest's
# clock runs on while it waits, the device's DMA with it
io=/tmp/capture-io
mkdir -p $io && cp "$dir"/in-duplex-*.wav $io/
record() { # PCM FILE FRAMES [ARECORD OPTION...]
	pcm=$1 file=$2 n=$3
	shift 3
	arecord -q -D hw:sgscope,$pcm "$@" -f S16_LE -c 2 -r 48000 -t raw -s "$n" "$file"
}

for pcm in 0 1 2 3; do
	for mode in rw mmap; do
		flag=""; [ $mode = mmap ] && flag=-M
		record $pcm "$io/cap-pcm$pcm-$mode.raw" $frames $flag
		check $? "capture: arecord $mode through pcm$pcm exits 0"
	done
done

# pcm1 forced into the SG fallback: a 1 MiB buffer of single pages.
forced_chunked() {
	. "$(dirname "$0")/sg-fallback.sh"
	sg_fallback_on
	taskset -c 0 arecord -q -D hw:sgscope,1 --buffer-size=262144 --period-size=4096 \
		-f S16_LE -c 2 -r 48000 -t raw -s 96000 "$io/cap-chunked.raw" &
	sg_layout $dbg/pcm1-capture
	wait $!
	check $? "capture: pcm1 with a chunked buffer exits 0"
	sg_fallback_off
	echo "# pcm1 forced: chunks $chunks, descriptors $descs, fell_back $fell_back"
	[ "$fell_back" = 1 ] && [ "${chunks:-0}" -ge 2 ] && [ "${descs:-0}" -gt 32 ]
	check $? "capture: pcm1's buffer fell back to $chunks chunks, $descs descriptors (> 32)"
}
[ "$plain" = plain ] || forced_chunked

for pcm in 0 1 2 3; do
	aplay -q -D hw:sgscope,$pcm "$io/in-duplex-pcm$pcm.wav" &
	record $pcm "$io/cap-duplex-pcm$pcm.raw" $frames
	check $? "duplex: pcm$pcm captures while it plays"
	wait $!
	check $? "duplex: pcm$pcm plays while it captures"
done
cp $io/cap-*.raw "$dir/"
finish
