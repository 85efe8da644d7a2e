#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: the fault matrix.  Each scenario runs on the PCM
# strategies it applies to, under `sgscope inject`, with `sgscope allocs
# --json` recording every ALSA allocation, and asserts its expected
# outcome from the tools' JSON and the driver's debugfs.  After every
# scenario: nothing live in the driver, no WARN/BUG/Oops in dmesg, kmemleak
# clean, and the card still plays (recorded, checked bit for bit by the host).
#
# $1: fast (make test), full (make bench) or errors (fast's cells whose
# injection fails an allocation or a call, so that an error path runs: the
# debug kernel's, where a scenario costs minutes); $2: plain, swiotlb or
# iommu
# $3: folder with clipNNN.wav, pcm-failnth; gets the allocs log
# $4: each (default: a kmemleak scan after every scenario) or end (one scan
# at the end: on the debug kernel a scan takes 55 to 140 s of guest time)
# Prints ok/not ok lines, "MATRIX|scenario|strategy|expected|observed|clip"
# rows, and "PLAYED clipNNN" for every play the host must find bit-exact.
level=$1 boot=$2 dir=$3 kmemleak_scans=${4:-each}
S=$(cd "$(dirname "$0")/../../.." && pwd)/build/sgscope/sgscope
. "$(dirname "$0")/lib.sh"
sgscope_card
kmemleak=/sys/kernel/debug/kmemleak
dev=$(basename "$(readlink /sys/class/sound/card$card/device)")
drv=/sys/bus/pci/drivers/snd_sgscope
# name PCM: its strategy, the PCM's id as the driver names it
name() { sed -n 's/^id: //p' /proc/asound/card$card/pcm$1p/info; }
counter() { sed -n "s/^$1 //p" $debugfs/counters; }

# the codec starts muted: 0 dB, so the recording is the samples played
set_mixer() {
	amixer -q -c sgscope sset Master 100% unmute && amixer -q -c sgscope sset PCM 100% unmute
}
set_mixer

# inputs on tmpfs: nothing a scenario fails may touch the 9p root
cp "$dir"/clip*.wav "$dir/pcm-failnth" /tmp/
clip=0
# (no subshell: the counter must advance)
next_clip() { clip=$((clip + 1)); c=$(printf 'clip%03d' $clip); }

# The tracer writes to tmpfs, copied to the shared folder at the end: a 9p
# write completes at host time, and under icount a guest waiting on the
# host skips ahead to its next timer, so the sleeps below could end before
# a 9p write landed; on tmpfs they wait for the tracer alone.
trace=/tmp/allocs-$boot.json
trap 'cp "$trace" "$dir/"' EXIT
"$S" allocs --json >"$trace" 2>"$dir/allocs-$boot.err" &
allocs_pid=$!
for i in $(seq 3000); do grep -q '"start"' "$trace" && break; sleep 0.1; done
echo clear >$kmemleak 2>/dev/null
# events since the last scenario began
mark=0
begin() { sleep 0.5; mark=$(wc -l <"$trace"); dmesg -C; }
events() { sleep 0.5; tail -n +$((mark + 1)) "$trace" | jq -c "select(.report==\"event\" and .card==$card and $1)" 2>/dev/null; }

# play PCM [INJECT ARGS]: aplay a fresh clip, under inject if args given;
# sets rc and err; announces the clip for the bit-exact check when it worked
play() {
	pcm=$1
	shift
	next_clip
	if [ $# -gt 0 ]; then
		"$S" inject "$@" -- aplay -q -D hw:sgscope,$pcm --buffer-size=${bufsize:-65536} /tmp/$c.wav \
			>/tmp/play.out 2>&1
	else
		aplay -q -D hw:sgscope,$pcm --buffer-size=${bufsize:-65536} /tmp/$c.wav >/tmp/play.out 2>&1
	fi
	rc=$?
	# aplay names the failing step, not the errno: the allocs JSON has that
	err=$(grep -o 'Unable to install hw params\|Cannot allocate memory\|Input/output error\|Device or resource busy' /tmp/play.out | head -1)
	[ $rc = 0 ] && echo "PLAYED $c" && played=$c || played=-
}

# after SCENARIO STRATEGY: the checks every scenario ends with
after() {
	bad=""
	for g in live_buffers live_sgtables live_mappings live_desc_lists; do
		[ "$(counter $g)" = 0 ] || bad="$bad $g=$(counter $g)"
	done
	dmesg | grep -q -E 'WARNING:|BUG:|Oops|general protection' && bad="$bad dmesg"
	if [ "$kmemleak_scans" = each ]; then
		echo scan >$kmemleak 2>/dev/null
		[ -s $kmemleak ] && grep -q unreferenced $kmemleak && bad="$bad kmemleak" && echo clear >$kmemleak
	fi
	keep=$bufsize
	bufsize=
	play 2
	bufsize=$keep
	[ $rc = 0 ] || bad="$bad replay"
	[ -z "$bad" ]
	check $? "matrix: the scenario leaves nothing behind and the card plays ($boot: $1 on $2${bad:+; failed:$bad})"
	stage "$1 on $2"
}

# row SCENARIO STRATEGY EXPECTED OBSERVED VERDICT: one matrix cell
row() {
	check $5 "matrix: the scenario does what its cell expects ($boot: $1 on $2: $3; observed: $4)"
	echo "MATRIX|$boot|$1|$2|$3|$4|$played"
}

orders() { echo "$1" | jq -r '.orders | to_entries | map("\(.key):\(.value)") | join(",")' | head -1; }

orders_k="1 2 3 4 5 6"
[ "$level" != full ] && orders_k="1 6"
[ "$boot" != plain ] && orders_k="1"
# pcms_of SCENARIO [ORDER]: the PCMs a scenario runs on at this level and
# boot (most only in the plain boot, fewer in make test's fast level).
# The errors level leaves out what fails nothing: the baseline, pressure,
# and the preallocated pcm0 and vmalloc'ed pcm2 (order 0 pages) under
# order-k and all-allocation failures
pcms_of() {
	case $level:$1 in
	errors:baseline | errors:pressure) ;;
	errors:order) if [ "$2" != 1 ]; then echo 1; else echo 1 3; fi ;;
	*:baseline) echo 0 1 2 3 ;;
	*:order) if [ "$level" = fast ] && [ "$2" != 1 ]; then echo 1; else echo 0 1 2 3; fi ;;
	*:prealloc) [ "$boot" = plain ] && echo 0 ;;
	*:fragmentation) [ "$level" = full ] && [ "$boot" = plain ] && echo 1 ;;
	*)	[ "$boot" = plain ] || return 0
		case $level:$1 in
		fast:failslab | errors:failslab) echo 2 ;;
		fast:fail-nth | errors:fail-nth) echo 1 2 ;;
		fast:pressure) echo 1 ;;
		errors:all) echo 1 2 3 ;;
		*) echo 0 1 2 3 ;;
		esac ;;
	esac
}
# every scenario on a PCM is a row and an after, then the final kmemleak
# check (pcm-failnth's checks are a block of their own)
start_checks

# -- baseline
for p in $(pcms_of baseline); do
	begin
	play $p
	ev=$(events ".pcm==$p")
	res=$(echo "$ev" | jq -r .result | head -1)
	case $p in
	0) want="no allocation at hw_params (preallocated), plays"; [ $rc = 0 ] && [ -z "$ev" ] ;;
	1) want="contiguous, plays"; [ $rc = 0 ] && [ "$res" = contiguous ] ;;
	2) want="vmalloc, plays"; [ $rc = 0 ] && [ "$res" = vmalloc ] ;;
	3) want="noncontig, plays"; [ $rc = 0 ] && [ "$res" = noncontig ] ;;
	esac
	row baseline "pcm$p $(name $p)" "$want" "exit $rc, ${res:-no allocation}" $?
	after baseline pcm$p
done

# -- order-k failures inside ALSA buffer allocation
for k in $orders_k; do
	for p in $(pcms_of order $k); do
		begin
		fb=$(counter fallbacks)
		play $p --order $k
		ev=$(events ".pcm==$p" | tail -1)
		res=$(echo "$ev" | jq -r .result)
		maxo=$(echo "$ev" | jq -r '[.orders | keys[] | tonumber] | max // -1')
		chunks=$(echo "$ev" | jq -r .chunks)
		case $p in
		0) want="preallocated: unaffected, plays"; [ $rc = 0 ] && [ -z "$ev" ] ;;
		1) if [ "$boot" = iommu ]; then
			want="the IOMMU builds it from small pages: contiguous (IOVA), plays"
			[ $rc = 0 ] && [ "$res" = contiguous ]
		   else
			want="SG fallback, chunks <= 2^$((k - 1)) pages, plays"
			[ $rc = 0 ] && [ "$res" = sg-fallback ] && [ "$maxo" -lt $k ] &&
				[ "$(counter fallbacks)" -gt "$fb" ]
		   fi ;;
		2) want="vmalloc pages are order 0: unaffected, plays"; [ $rc = 0 ] && [ "$res" = vmalloc ] ;;
		3) if [ "$boot" = iommu ]; then
			want="the IOMMU builds it from small pages, plays"
			[ $rc = 0 ] && [ "$res" = noncontig ]
		   else
			# 6.12's NONCONTIG has no fallback without an IOMMU
			want="-ENOMEM at hw_params (no NONCONTIG fallback without an IOMMU), reopens and plays"
			first=$rc
			[ $first != 0 ] && [ "$res" = failed ] && play $p && [ $rc = 0 ]
			res="$res (exit $first), reopened"
		   fi ;;
		esac
		row "order>=$k fails" "pcm$p $(name $p)" "$want" \
			"exit $rc, ${res:-no allocation}, chunks ${chunks:--}, max order ${maxo:--}" $?
		after "order>=$k" pcm$p
	done
done

# -- every ALSA allocation fails: -ENOMEM, then the PCM reopens
for p in $(pcms_of all); do
	begin
	af=$(counter alloc_failures)
	play $p --all
	first=$rc ferr=$err
	if [ $p = 0 ]; then
		want="preallocated: unaffected, plays"
		[ $first = 0 ]
	else
		want="-ENOMEM at hw_params, reopens and plays once disarmed"
		enomem=$(events ".pcm==$p and .error==-12" | wc -l)
		[ $first != 0 ] && [ "$enomem" -ge 1 ] &&
			[ "$(counter alloc_failures)" -gt "$af" ] && play $p && [ $rc = 0 ]
	fi
	row "all ALSA allocations fail" "pcm$p $(name $p)" "$want" \
		"exit $first ${ferr:+($ferr)}, ${enomem:-0} allocs with -ENOMEM, then exit $rc" $?
	after "all fail" pcm$p
done

# -- preallocation under failure: rebind with order >= 3 failing
if [ -n "$(pcms_of prealloc)" ]; then
	begin
	"$S" inject --order 3 -- sh -c "echo $dev >$drv/unbind && echo $dev >$drv/bind" 2>/tmp/inj.err
	sleep 1
	set_mixer
	got=$(counter prealloc_playback_bytes)
	proc=$(cat /proc/asound/card$card/pcm0p/sub0/prealloc 2>/dev/null)
	shrinks=$(events '.pcm==0 and .stream=="playback" and .caller=="prealloc" and .error!=0' | wc -l)
	bufsize=4096
	play 0
	bufsize=
	[ "$got" = 16384 ] && [ "$proc" = 16 ] && [ "$shrinks" -ge 1 ] && [ $rc = 0 ]
	row "preallocation under order>=3 failure" "pcm0 prealloc" \
		"shrinks to 16 KiB, reports it (debugfs, /proc), plays" \
		"$got bytes, /proc prealloc ${proc:-?} KiB, $shrinks failed tries, exit $rc" $?
	echo $dev >$drv/unbind && echo $dev >$drv/bind
	sleep 1
	set_mixer
	after "prealloc failure" pcm0
fi

# -- failslab: the first slab allocation under a PCM ioctl fails
for p in $(pcms_of failslab); do
	begin
	play $p --slab --within snd_pcm_ioctl --times 1
	first=$rc ferr=$err
	play $p
	[ $first != 0 ] && [ -n "$ferr" ] && [ $rc = 0 ]
	row "failslab under snd_pcm_ioctl" "pcm$p $(name $p)" \
		"a clean error, then plays" "exit $first ${ferr:+($ferr)}, then exit $rc" $?
	after failslab pcm$p
done

# -- fail-nth sweep over open, hw_params, prepare, start, stop, hw_free, close
for p in $(pcms_of fail-nth); do
	begin
	"$S" inject --nth 0 -- /tmp/pcm-failnth hw:sgscope,$p >/tmp/nth.out 2>/tmp/nth.err
	nrc=$?
	grep '^ok - \|^not ok - \|^#\|^1\.\.' /tmp/nth.out
	summary=$(grep '^# failed at' /tmp/nth.out | sed 's/^# //')
	n=$(grep -c '^[0-9]' /tmp/nth.out)
	played=-
	[ $nrc = 0 ]
	row "fail-nth sweep" "pcm$p $(name $p)" \
		"every N: success or a clean error, up to past the last call" "$n runs; $summary" $?
	after fail-nth pcm$p
done

# -- real fragmentation (bench only): a natural fallback, orders recorded
if [ -n "$(pcms_of fragmentation)" ]; then
	begin
	bufsize=1048576
	play 1 --fragment 90
	bufsize=
	ev=$(events '.pcm==1' | tail -1)
	[ $rc = 0 ]
	row "fragmentation (90% of free memory)" "pcm1 sg" "plays; allocation and chunk orders recorded" \
		"exit $rc, $(echo "$ev" | jq -r .result), chunks $(echo "$ev" | jq -r .chunks), orders $(orders "$ev")" $?
	after fragmentation pcm1
fi

# -- memory pressure: stress-ng in a cgroup; everything succeeds
for p in $(pcms_of pressure); do
	begin
	play $p --pressure 64 --json
	psi=$(grep -o '"psi_some_us":[0-9]*' /tmp/play.out | cut -d: -f2)
	us=$(events ".pcm==$p" | jq -r .duration_ns | head -1)
	[ $rc = 0 ]
	row "memory pressure (stress-ng, 64 MB cgroup)" "pcm$p $(name $p)" "plays; latency recorded" \
		"exit $rc, PSI some ${psi:-?} us, allocation ${us:-no allocation} ns" $?
	after pressure pcm$p
done

kill -INT $allocs_pid
wait $allocs_pid
# kmemleak reports an object once it has been unreferenced for 5 s
sleep 6
echo scan >$kmemleak 2>/dev/null
! grep -q unreferenced $kmemleak 2>/dev/null
check $? "matrix: kmemleak clean at the end ($boot)"
finish
