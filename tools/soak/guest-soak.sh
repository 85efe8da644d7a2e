#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The soak, in the test machine (tools/soak/run boots it with one AC97
# card per PCM): card K plays and captures its PCM K at once (pcm-soak),
# so all four buffer strategies run side by side for SECONDS of guest
# time, while a schedule seeded by SEED plants faults from outside:
# a slow interrupt handler on a card for a while (inject_irq_delay_us),
# and a card unbound and bound again.  Memory is sampled every SAMPLE
# seconds.  Outputs, copied to OUT at the end: soak-K.jsonl (each
# pcm-soak's events), faults.jsonl, memory.jsonl, kmemleak.txt.
# usage: guest-soak.sh OUT SECONDS SEED [SAMPLE]
out=$1 seconds=$2 seed=$3 sample=${4:-60}
work=/tmp/soak
mkdir -p $work
cp "$out/pcm-soak" $work/
dbg=/sys/kernel/debug/sgscope
cards=$(ls -d /proc/asound/card[0-9]* | wc -l)

now() { cut -d' ' -f1 /proc/uptime; }
# rnd N: r, a number in [0, N) from the seeded sequence (not in a
# subshell: it keeps its state)
rnd_state=$seed
rnd() {
	rnd_state=$(((rnd_state * 1103515245 + 12345) % 2147483648))
	r=$((rnd_state / 65536 % $1))
}
fault() { echo "{\"t\":$(now),\"fault\":\"$1\",\"card\":$2$3}" >>$work/faults.jsonl; }

for k in $(seq 0 $((cards - 1))); do
	amixer -q -c "$k" sset Master 100% unmute && amixer -q -c "$k" sset PCM 100% unmute &&
		amixer -q -c "$k" sset Capture 100% cap
done
: >$work/faults.jsonl
start=$(now)
pids=
for k in $(seq 0 $((cards - 1))); do
	$work/pcm-soak "hw:$k,$k" "$seconds" $((seed * 16 + k)) >$work/soak-$k.jsonl 2>$work/soak-$k.err &
	pids="$pids $!"
done
running() {
	for p in $pids; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

# memory: the kernel's and the driver's own, every sample seconds
memory() {
	m=$(awk '/^(MemFree|Slab|VmallocUsed|PageTables|KernelStack):/ {
		sub(":", "", $1); printf ",\"%s_kb\":%s", $1, $2 }' /proc/meminfo)
	for c in $dbg/card*; do
		m="$m$(awk -v c="${c##*card}" '/^(live_|allocations)/ { printf ",\"card%s_%s\":%s", c, $1, $2 }' \
			"$c/counters")"
	done
	echo "{\"t\":$(now)$m}" >>$work/memory.jsonl
}

# the schedule: every 20 to 60 s one fault on a card picked at random
rnd 40
next=$(awk -v s="$start" -v r="$r" 'BEGIN { print s + 20 + r }')
sampled=0
while running; do
	t=$(now)
	if awk -v t="$t" -v s="$sampled" -v p="$sample" 'BEGIN { exit !(t >= s + p) }'; then
		memory
		sampled=$t
	fi
	if awk -v t="$t" -v n="$next" -v e="$start" -v d="$seconds" \
		'BEGIN { exit !(t >= n && t < e + d - 30) }'; then
		rnd "$cards"
		k=$r
		rnd 2
		case $r in
		0)
			# within what the shortest period (1024 frames, 21 ms) leaves
			# both engines' handlers: late by more than a buffer, an
			# interrupt lets the pointer lap it unseen
			rnd 3
			us=$((2000 + r * 2000))
			fault irq_delay "$k" ",\"us\":$us,\"seconds\":5"
			echo $us >$dbg/card$k/inject_irq_delay_us
			sleep 5
			echo 0 >$dbg/card$k/inject_irq_delay_us ;;
		1)
			dev=$(basename "$(readlink /sys/class/sound/card$k/device)")
			drv=$(readlink -f /sys/class/sound/card$k/device/driver)
			fault unbind "$k" ",\"device\":\"$dev\""
			echo "$dev" >"$drv/unbind"
			sleep 2
			echo "$dev" >"$drv/bind" ;;
		esac
		rnd 40
		next=$(awk -v t="$(now)" -v r="$r" 'BEGIN { print t + 20 + r }')
	fi
	sleep 1
done
for p in $pids; do wait "$p"; done
memory
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >$work/kmemleak.txt
fi
cp $work/*.jsonl $work/*.err "$out/" 2>/dev/null
[ -e $work/kmemleak.txt ] && cp $work/kmemleak.txt "$out/"
echo "# soak: $(($(cut -d. -f1 /proc/uptime) - ${start%.*})) s of guest time, $cards cards"
