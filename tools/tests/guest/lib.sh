# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154
# Sourced by the guest check scripts: ok/not ok lines and running the
# sgscope tracers in the background.  The sourcing script sets S (the CLI)
# and dir (where the tracers' output goes).
say() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
# expect NAME WANT GOT
expect() { [ "$2" = "$3" ]; say $? "$1 (want $2, got $3)"; }
# touch_pcm ARGS...: $dir/pcm-touch, quietly
touch_pcm() { "$dir/pcm-touch" "$@" >/dev/null; }
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
