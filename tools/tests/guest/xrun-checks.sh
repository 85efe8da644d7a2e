#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: sgscope xrun against planted causes.  Each cause
# runs alone, under the tracer, with pcm-player counting the -EPIPE
# returns it sees: the counts must agree, and the verdict must name the
# cause planted for at least 95% of the xruns.
# $1: folder with pcm-player, writable for the tracer's output
dir=$1
here=$(dirname "$0")
S=$(cd "$here/../../.." && pwd)/build/sgscope/sgscope
. "$here/lib.sh"
start_checks
sgscope_card
compat_kernel="$(uname -r | cut -d. -f1-2) (test kernel, sound core built in)"
player="$dir/pcm-player"

# planted NAME VERDICT PLAYER-ARGS...: the player under the tracer; its
# xrun count and the tracer's total line are kept for the checks
planted() {
	name=$1 want=$2
	shift 2
	traced "$name" xrun -c sgscope --json --trace "$dir/$name.trace.json" || return 1
	"$@" >"$dir/$name.player"
	stopped "$name"
}
# xruns_of NAME: the xruns the player counted
xruns_of() { sed -n 's/^xruns //p' "$dir/$1.player"; }
# verdicts NAME VERDICT: "all agreeing total" from the tracer's lines
verdicts() {
	jq -rs --arg v "$2" '[.[] | select(.report=="xrun")] |
		"\(length) \([.[] | select(.verdict==$v)] | length)"' "$dir/$1.out"
}
# judged NAME VERDICT: the count and verdict checks of one planted run
judged() {
	seen=$(xruns_of "$1")
	set -- "$1" "$2" $(verdicts "$1" "$2")
	[ "${seen:-0}" -gt 0 ] && [ "$3" = "$seen" ]
	check $? "xrun: every xrun the player saw is reported ($1: player $seen, sgscope $3)"
	[ "${3:-0}" -gt 0 ] && [ $(($4 * 100)) -ge $(($3 * 95)) ]
	check $? "xrun: at least 95% of the verdicts name the cause ($1: $4 of $3 '$2')"
}

compat_begin
# a slow application: it sleeps 120 ms every 4 periods of a 85 ms buffer
planted slow_rw application "$player" hw:sgscope,1 -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged slow_rw application
planted slow_mmap application "$player" hw:sgscope,2 -m -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged slow_mmap application
# it works instead of sleeping: still its own time
planted busy_rw application "$player" hw:sgscope,1 -b 4096 -p 1024 -t 1000 -e 4 -s 120 -S
judged busy_rw application

# a slow interrupt: the driver's handler spins 15 ms before it reports the
# period, and the player keeps 20 ms of buffer
delay=15000
slow_irq() {
	echo $delay >"$debugfs/inject_irq_delay_us"
	"$player" "$@"
	echo 0 >"$debugfs/inject_irq_delay_us"
}
planted irq_rw interrupt slow_irq hw:sgscope,1 -b 960 -p 240 -t 1000
judged irq_rw interrupt
planted irq_mmap interrupt slow_irq hw:sgscope,2 -m -b 960 -p 240 -t 1000
judged irq_mmap interrupt
# the handler's time before period elapsed, measured: the planted delay
for name in irq_rw irq_mmap; do
	ns=$(jq -s '[.[] | select(.report=="xrun") | .irq_handler_ns] | sort | .[length / 2 | floor]' \
		"$dir/$name.out")
	[ "${ns:-null}" != null ] && [ $((ns / 1000 * 10)) -ge $((delay * 9)) ] &&
		[ $((ns / 1000 * 10)) -le $((delay * 11)) ]
	check $? "xrun: the slow handler is measured within 10% of the planted delay ($name: median $ns ns, planted $delay us)"
done

# no cause: a minute of clean playback, and the headroom it had
planted clean none "$player" hw:sgscope,1 -b 4096 -p 1024 -t 60000
expect "xrun: a clean minute has no xrun (player, sgscope)" "0 0" \
	"$(xruns_of clean) $(jq -rs '[.[] | select(.report=="xrun")] | length' "$dir/clean.out")"
n=$(jq -r 'select(.report=="total" and .pcm==1) | .headroom.count' "$dir/clean.out")
[ "${n:-0}" -gt 2000 ]
check $? "xrun: the clean minute's headroom histogram has every write (${n:-none})"
compat_row xrun auto "$dir/clean.out"

# the trace file: trace-event JSON with the xrun and the client's parts
jq -e '.traceEvents | map(select(.name=="xrun: application")) | length > 0' \
	"$dir/slow_rw.trace.json" >/dev/null
check $? "xrun: --trace writes trace-event JSON with each xrun's verdict"
jq -e '.traceEvents | map(select(.ph=="X" and .name=="application")) | length > 0' \
	"$dir/slow_rw.trace.json" >/dev/null
check $? "xrun: --trace has the client's stretches named by their part"
finish
