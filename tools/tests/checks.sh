# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# How an sgscope test script reports its checks, the same on the host (the
# bash suites, through tools/tests/lib.sh) and in the test machine (the sh
# guest scripts, through tools/tests/guest/lib.sh): POSIX sh.
#
#   start_checks                  open the script's block: "# begin: SCRIPT"
#   pass NAME                     "ok - NAME"
#   fail NAME [DETAIL...]         "not ok - NAME", then "#   DETAIL" lines
#   check STATUS NAME [DETAIL...] pass when STATUS is 0, else fail
#   expect NAME WANT GOT          pass when the strings are equal
#   contains NAME NEEDLE HAYSTACK pass when HAYSTACK has NEEDLE
#   finish                        close the block: "# end: SCRIPT" and its KTAP
#                                 plan "1..N", N the checks reported since
#                                 start_checks; exit 1 if one failed
#   end_checks                    the same without the exit
#   relay CMD...                  run CMD, a tool that prints results with no
#                                 plan of its own: its output, its results
#                                 counted in this block; CMD's exit status
#
# The plan comes at the end and counts what was printed, so nobody sums a
# plan by hand; a script that dies half way prints no plan, and
# tools/tests/ktap-plans.py fails the log.  A script run from this one (a
# guest script, tools/tests/checks.py, a C helper) reports a block of its
# own inside this one, not counted here.  A failed check returns 1, so
# `check $? NAME || ...` can add what went wrong.
#
# Write NAME out at the call, whole, so that `grep -rn` finds the line that
# printed it; a value goes in it only after literal text, best in a
# parenthesis at its end.
checks_run=0
failures=0

start_checks() {
	checks_run=0
	failures=0
	echo "# begin: ${0##*/}"
}
# _details DETAIL...: one "#   " line per line of each
_details() {
	for _d in "$@"; do
		printf '%s\n' "$_d" | sed 's/^/#   /'
	done
}
pass() {
	checks_run=$((checks_run + 1))
	echo "ok - $1"
}
fail() {
	checks_run=$((checks_run + 1))
	failures=$((failures + 1))
	echo "not ok - $1"
	shift
	_details "$@"
	return 1
}
check() {
	_s=$1
	shift
	if [ "$_s" = 0 ]; then pass "$1"; else fail "$@"; fi
}
expect() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $2" "got:      $3"
	fi
}
contains() {
	case "$3" in
	*"$2"*) pass "$1" ;;
	*) fail "$1" "expected to find: $2" "in: $(printf '%.600s' "$3")" ;;
	esac
}
relay() {
	_out=$("$@")
	_rc=$?
	[ -z "$_out" ] || printf '%s\n' "$_out"
	_n=$(printf '%s\n' "$_out" | grep -c '^ok - ')
	_f=$(printf '%s\n' "$_out" | grep -c '^not ok - ')
	checks_run=$((checks_run + _n + _f))
	failures=$((failures + _f))
	return $_rc
}
end_checks() {
	echo "# end: ${0##*/}"
	echo "1..$checks_run"
}
finish() {
	end_checks
	exit $((failures > 0))
}
