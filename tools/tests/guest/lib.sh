# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154
# Sourced by the guest check scripts: how they report their checks
# (tools/tests/checks.sh: start_checks, pass, fail, check, expect,
# contains, finish), and running the sgscope tracers in the background.
# The sourcing script sets S (the CLI) and dir (where the tracers' output
# goes).  checks.sh is found in the folder above the script's, or at $checks_sh
# (a script that is not a file of tools/tests/guest sets it).
_checks=${checks_sh:-$(dirname "$0")/../checks.sh}
if [ -r "$_checks" ]; then
	. "$_checks"
fi
# stage NAME: a comment line with the guest seconds since the last stage
# (or since boot), and of them the CPU seconds the guest was busy, all
# CPUs summed: under icount an idle guest skips ahead for free, so the
# busy seconds are what a stage costs the host
stage() {
	_now=$(cut -d' ' -f1 /proc/uptime)
	# /proc/stat's cpu line in USER_HZ (100): all but idle and iowait
	_busy=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
	echo "# stage $1: $(echo "$_now - ${_stage_at:-0}" | bc) s of guest time, $(echo "scale=2; ($_busy - ${_stage_busy:-0}) / 100" | bc) s busy"
	_stage_at=$_now _stage_busy=$_busy
}
# card_of ID: the number of the sound card with that id, wherever it was
# registered (another driver's card may come first)
card_of() { grep -l "^$1\$" /proc/asound/card*/id 2>/dev/null | sed 's|.*/card\([0-9]*\)/id|\1|' | head -1; }
# sgscope_card: $card, the sgscope card's number, and $debugfs, its
# debugfs folder
sgscope_card() {
	card=$(card_of sgscope)
	debugfs=/sys/kernel/debug/sgscope/card$card
}
# to_intel8x0 DEV: the AC97 device DEV from snd-sgscope to the mainline
# snd-intel8x0, the same device's other driver (docs/driver.md's recipe);
# $intel_card is its card's number
to_intel8x0() {
	echo "$1" >/sys/bus/pci/drivers/snd_sgscope/unbind && modprobe snd-intel8x0 &&
		[ -e "/sys/bus/pci/drivers/snd_intel8x0/$1" ] &&
		intel_card=$(cat /sys/bus/pci/devices/"$1"/sound/card*/number)
}
# back_to_sgscope DEV: and back to snd-sgscope, snd-intel8x0 unloaded
back_to_sgscope() {
	echo "$1" >/sys/bus/pci/drivers/snd_intel8x0/unbind &&
		echo snd_sgscope >"/sys/bus/pci/devices/$1/driver_override" &&
		echo "$1" >/sys/bus/pci/drivers/snd_sgscope/bind &&
		echo >"/sys/bus/pci/devices/$1/driver_override" &&
		modprobe -r snd-intel8x0
}
# touch_pcm ARGS...: $dir/pcm-touch, quietly
touch_pcm() { "$dir/pcm-touch" "$@" >/dev/null; }
# chunks_of PCM: the driver's chunk count for the playback buffer pcm-touch
# holds ($debugfs: the card's folder), polled until there is one.  A
# fixed sleep would not do: under icount a guest waiting for the host
# (pcm-touch loading over 9p) skips ahead to its next timer, so guest
# seconds say nothing about progress.
chunks_of() {
	for _ in $(seq 3000); do
		c=$(sed -n 's/^chunks //p' "$debugfs/pcm$1-playback/layout")
		[ "${c:-0}" -gt 0 ] && break
		sleep 0.01
	done
	echo "$c"
}
# held_layout PCM FRAMES ROUNDS OUT: pcm-touch's rounds, then its buffer
# held while the driver's layout of it is copied to OUT
held_layout() {
	touch_pcm "hw:sgscope,$1" "$2" "$3" 3 &
	chunks_of "$1" >/dev/null
	cat "$debugfs/pcm$1-playback/layout" >"$4"
	wait $!
}
# held_chunks PCM FRAMES ROUNDS: the same, the driver's chunk count
held_chunks() {
	held_layout "$@" "$dir/held.layout"
	sed -n 's/^chunks //p' "$dir/held.layout"
}
# jqs FILE FILTER: the filter over the JSON lines, one result per line
jqs() { jq -r "$2" "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
# traced NAME ARGS...: run sgscope ARGS in the background until stopped,
# once its probes are attached (its text or JSON start line is out); the
# polls are counted, not timed: under icount a guest waiting on the host
# skips ahead to its next timer
traced() {
	name=$1
	shift
	"$S" "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
	eval "pid_$name=$!"
	for _ in $(seq 3000); do
		grep -q 'Tracing\|"start"' "$dir/$name.out" "$dir/$name.err" 2>/dev/null && return 0
		kill -0 "$(eval echo \$pid_"$name")" 2>/dev/null || break
		sleep 0.1
	done
	echo "# $name did not start: $(cat "$dir/$name.err")"
	return 1
}
# stopped NAME: Ctrl-C it; its exit status
stopped() {
	eval "kill -INT \$pid_$1; wait \$pid_$1"
}
# The compatibility table (tools/tests/compat.py): compat_begin before a
# tracer's count checks, compat_row after them, one row per probe of its
# start line (and per .page op pagelat timed) in $dir/compat.tsv: kernel,
# subcommand, attach asked for, probe, attach got, function, whether every
# count check since matched.
# $compat_kernel names the kernel (kernel_label).
# kernel_label WHOSE WHERE: "6.12 (Debian's PREEMPT_RT, sound core as
# modules)", the release's first two numbers, then PREEMPT_RT where the
# running kernel is one
# compat_inject ASKED FUNCTION ERR: a row for sgscope inject's mode ASKED
# (its options), from ERR, what the run printed on stderr with --json:
# "armed" (--cost: its attach) and what it armed, or "refused: no
# CONFIG_..." naming what the kernel lacks; FUNCTION the kernel function the mode works at ("" for a
# memory condition); the last column whether the checks since
# compat_begin passed (the mode did on this kernel what it should)
compat_inject() {
	matched=yes
	[ "$failures" = "$compat_mark" ] || matched=no
	armed=$(jq -Rr 'fromjson? | select(.report=="armed") |
		"\(.attach // "armed")\t\(.what // "\(.insns) more instructions a call")"' "$3" | head -1)
	got=${armed%%	*} what=${armed#*	}
	[ -n "$armed" ] || got="refused: no $(grep -o 'CONFIG_[A-Z_]*' "$3" | head -1)" what=-
	printf '%s\tinject\t%s\t%s\t%s\t%s\t%s\n' "$compat_kernel" "$1" "$what" "$got" "$2" "$matched" \
		>>"$dir/compat.tsv"
}
kernel_label() {
	rt=""
	[ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ] && rt=" PREEMPT_RT"
	echo "$(uname -r | cut -d. -f1-2) ($1$rt, $2)"
}
compat_begin() { compat_mark=$failures; }
compat_row() { # SUBCOMMAND ASKED OUTPUT
	matched=yes
	[ "$failures" = "$compat_mark" ] || matched=no
	jq -r --arg k "$compat_kernel" --arg t "$1" --arg a "$2" --arg m "$matched" \
		'select(.report=="start") | .probes[] | [$k, $t, $a, .what, .attach, .target, $m] | @tsv' \
		"$3" >>"$dir/compat.tsv"
	# pagelat's .page ops, probed as it found them: one row per function
	jq -rs --arg k "$compat_kernel" --arg t "$1" --arg a "$2" --arg m "$matched" \
		'[.[] | select(.report=="total" and .op) | .op] | unique_by(.function)[] |
		 [$k, $t, $a, "PCM .page op", .attach, .function, $m] | @tsv' \
		"$3" >>"$dir/compat.tsv"
}
