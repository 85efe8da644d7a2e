#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/vm, the test-machine launcher: statuses, output, the results share,
# --iommu, --swiotlb, --wav (playback recorded, capture silent), the
# timeout and usage errors.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results="$tmp/results"
mkdir -p "$results"
run() { "$vm" --results "$results" --console "$tmp/console.log" "$@"; }

out=$(run -- /bin/true 2>&1); rc=$?
expect "vm: /bin/true in the guest exits 0 on the host" 0 "$rc"
out=$(run -- /bin/false 2>&1); rc=$?
expect "vm: /bin/false in the guest exits 1 on the host" 1 "$rc"
out=$(run -- sh -c 'echo "hello from $(uname -n)"; exit 7' 2>/dev/null); rc=$?
expect "vm: an exit status of 7 reaches the host" 7 "$rc"
contains "vm: the command's output reaches the host" "hello from sgscope-vm" "$out"
out=$(run -- head -1 "$repo/tools/guest-init" 2>&1)
expect "vm: the clone is visible in the guest, wherever it lies" "#!/bin/sh" "$out"
kver=$(run -- uname -r 2>/dev/null)
contains "vm: the guest runs the sgscope kernel" "$(make -s -C "$cache/linux-source-6.12" O="${KBUILD:-$cache/build}" kernelrelease 2>/dev/null)" "$kver"

# The guest writes random bytes it made itself; the host sees the same bytes.
out=$(run -- sh -c 'head -c 300000 /dev/urandom >/tmp/blob && sha256sum </tmp/blob && cp /tmp/blob "$SGSCOPE_RESULTS/blob"' 2>/dev/null)
guest_sum=${out%% *}
host_sum=$(sha256sum <"$results/blob" 2>/dev/null); host_sum=${host_sum%% *}
if [ -n "$guest_sum" ] && [ "$guest_sum" = "$host_sum" ] && [ "$(stat -c %s "$results/blob")" = 300000 ]; then
	pass "vm: a file written into the results folder reaches the host byte for byte"
else
	fail "vm: a file written into the results folder reaches the host byte for byte" "guest: $guest_sum" "host:  $host_sum"
fi
out=$(run -- sh -c 'echo x >/etc/sgscope-should-not-exist && echo written' 2>&1)
if [ "$out" != written ] && [ ! -e /etc/sgscope-should-not-exist ]; then
	pass "vm: the host root is read-only in the guest"
else
	fail "vm: the host root is read-only in the guest" "$out"
fi

# --iommu: the AC97 device sits in an IOMMU group; without it, it does not.
ac97_group='for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x2415 ] || continue
	if [ -e $d/iommu_group ]; then echo "ac97 group $(basename $(readlink $d/iommu_group))"; else echo "ac97 no group"; fi
done'
out=$(run --iommu -- sh -c "$ac97_group; dmesg | grep -c 'DMAR: IOMMU enabled'" 2>&1)
contains "vm --iommu: the AC97 device has an IOMMU group" "ac97 group" "$out"
out=$(run -- sh -c "$ac97_group" 2>&1)
contains "vm: without --iommu the AC97 device has no IOMMU group" "ac97 no group" "$out"

# --swiotlb: with 2 GiB of memory x86 sets up swiotlb only when forced.
out=$(run --swiotlb -- sh -c 'dmesg | grep "software IO TLB"; cat /proc/cmdline; ls /sys/kernel/debug/swiotlb' 2>&1)
contains "vm --swiotlb: the kernel log shows swiotlb set up" "software IO TLB" "$out"
contains "vm --swiotlb: swiotlb=force is on the kernel command line" "swiotlb=force" "$out"
contains "vm --swiotlb: the swiotlb pool exists" "io_tlb_used" "$out"
out=$(run -- sh -c 'dmesg | grep -c "software IO TLB"' 2>&1)
expect "vm: without --swiotlb there is no swiotlb" 0 "$out"

# --wav: one second of a tone is played; the file is a valid 48 kHz S16
# stereo WAV whose header agrees with its size.  QEMU drops the last few
# milliseconds it fetched when the engine stops, so the tone is padded.
wav="$tmp/out.wav"
sox -n -r 48000 -c 2 -b 16 "$tmp/tone.wav" synth 1 sine 440 pad 0 0.2 2>/dev/null
cp "$tmp/tone.wav" "$results/tone.wav"
# Whichever driver holds the AC97 device (the built-in snd-sgscope, else the
# peer snd-intel8x0) plays it through its card, device 0, at 0 dB.
play='ls -d /sys/bus/pci/devices/*/sound/card* >/dev/null 2>&1 || modprobe snd-intel8x0 || exit 1
	c=$(cat /sys/bus/pci/devices/*/sound/card*/number | head -1)
	amixer -q -c "$c" sset Master 100% unmute && amixer -q -c "$c" sset PCM 100% unmute &&
	aplay -q -D "hw:$c,0" "$SGSCOPE_RESULTS/tone.wav"'
out=$(run --wav "$wav" -- sh -c "$play" 2>&1); rc=$?
check $rc "vm --wav: aplay through the AC97 device's card succeeds" "exit $rc" "$out"
"$repo/tools/tests/checks.py" wav-valid "$wav"

# --wav without --capture: the device's capture input is silence, so an
# arecord of a second (48000 frames) exits 0 with every sample zero.
rec='c=$(cat /sys/bus/pci/devices/*/sound/card*/number | head -1) &&
	arecord -q -D "hw:$c,0" -f S16_LE -c 2 -r 48000 -t raw -s 48000 "$SGSCOPE_RESULTS/silence.raw"'
out=$(run --wav "$tmp/rec.wav" --timeout 300 -- sh -c "$rec" 2>&1); rc=$?
check $rc "vm --wav: arecord of a second through the AC97 device's card exits 0" "exit $rc" "$out"
"$repo/tools/tests/checks.py" wav-silence "$results/silence.raw"

# The clock: icount by default, and idle guest time costs no wall time in
# it; --wallclock is plain TCG, where a guest second is a host second.
out=$(run -- cat /proc/cmdline 2>&1)
contains "vm: the default clock is icount, shift 3" "sgscope_clock=icount:3" "$out"
out=$(run --icount=0 -- cat /proc/cmdline 2>&1)
contains "vm --icount=0: the guest is told its shift" "sgscope_clock=icount:0" "$out"
start=$(date +%s.%N)
out=$(run -- sh -c 'a=$(cut -d" " -f1 /proc/uptime); sleep 60; b=$(cut -d" " -f1 /proc/uptime); echo "slept $(echo "$b - $a" | bc)"' 2>&1)
took=$(echo "$(date +%s.%N) - $start" | bc)
slept=$(echo "$out" | sed -n 's/^slept //p')
if [ -n "$slept" ] && [ "$(echo "$slept >= 60 && $took < 30" | bc)" = 1 ]; then
	pass "vm --icount: 60 s of guest sleep (${slept} s of guest uptime) took ${took} s of wall time"
else
	fail "vm --icount: 60 s of guest sleep takes under 30 s of wall time" "guest: $out" "wall: ${took}s"
fi
start=$(date +%s.%N)
out=$(run --wallclock -- sh -c 'cat /proc/cmdline; sleep 5' 2>&1)
took=$(echo "$(date +%s.%N) - $start" | bc)
contains "vm --wallclock: the guest is told its clock" "sgscope_clock=wallclock" "$out"
if [ "$(echo "$took >= 5" | bc)" = 1 ]; then
	pass "vm --wallclock: 5 s of guest sleep take 5 s of wall time or more (${took} s)"
else
	fail "vm --wallclock: 5 s of guest sleep take 5 s of wall time or more" "took ${took}s"
fi
out=$("$vm" --icount=11 true 2>&1); rc=$?
expect "vm: --icount=11 (out of range) exits 2" 2 "$rc"
out=$(SGSCOPE_CLOCK=sundial "$vm" true 2>&1); rc=$?
expect "vm: an unknown SGSCOPE_CLOCK exits 2" 2 "$rc"
out=$(SGSCOPE_TCG_THREAD=multi "$vm" --icount true 2>&1); rc=$?
expect "vm: --icount with multi-threaded TCG exits 2" 2 "$rc"
contains "vm: ... saying icount needs single-threaded TCG" "single-threaded" "$out"

# A hung command is cut off by the timeout and reported.  It spins: a
# sleeping guest skips its idle time under icount and would not hang.
start=$(date +%s)
out=$(run --timeout 25 -- sh -c 'while :; do :; done' 2>&1); rc=$?
expect "vm --timeout: a hung guest exits 124" 124 "$rc"
contains "vm --timeout: the timeout is reported" "TIMEOUT" "$out"
took=$(( $(date +%s) - start ))
if [ "$took" -lt 60 ]; then pass "vm --timeout: killed promptly (${took}s)"; else fail "vm --timeout: killed promptly" "took ${took}s"; fi

# Usage errors.
out=$("$vm" --no-such-flag true 2>&1); rc=$?
expect "vm: an unknown flag exits 2" 2 "$rc"
contains "vm: an unknown flag prints usage" "usage: tools/vm" "$out"
out=$("$vm" --cpus zero true 2>&1); rc=$?
expect "vm: a bad --cpus exits 2" 2 "$rc"
out=$("$vm" --cards 9 true 2>&1); rc=$?
expect "vm: a bad --cards exits 2" 2 "$rc"
for p in 999 100001 10ms; do
	out=$("$vm" --audio-period "$p" true 2>&1); rc=$?
	expect "vm: --audio-period $p (not 1000 to 100000 microseconds) exits 2" 2 "$rc"
done
contains "vm: ... naming the range" "1000 to 100000 microseconds" "$out"
out=$("$vm" --cards 2 --audio "$repo" --wav /tmp/x.wav true 2>&1); rc=$?
expect "vm: --audio with --wav exits 2" 2 "$rc"
out=$("$vm" --cards 2 --audio "$repo" true 2>&1); rc=$?
expect "vm: --audio without a card's capture input exits 2" 2 "$rc"
contains "vm: ... naming it" "no $repo/capture-0" "$out"
finish
