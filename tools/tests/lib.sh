# SPDX-License-Identifier: GPL-2.0
# Helpers for sgscope's shell test suites: each check prints one line,
# "ok - NAME" or "not ok - NAME", which tools/run-tests counts.  A suite
# opens with its KTAP plan (plan N): the checks it prints itself, on the
# path where everything works; a guest script or helper it runs prints a
# plan of its own (tools/tests/ktap-plans.py).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${SGSCOPE_CACHE:-$HOME/.cache/sgscope}
vm="$repo/tools/vm"
failures=0

plan() { echo "1..$1"; }
pass() { echo "ok - $1"; }
fail() {
	echo "not ok - $1"
	shift
	[ $# -eq 0 ] || printf '#   %s\n' "$@"
	failures=$((failures + 1))
}
# expect NAME WANT GOT: equal strings pass
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}
# contains NAME NEEDLE HAYSTACK
contains() {
	if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1" "expected to find: $2" "in: ${3:0:600}"; fi
}
finish() { exit $((failures > 0)); }
# compat_check WORK NAME: the compatibility rows a guest run recorded in
# WORK/compat.tsv, kept as $cache/compat-NAME.tsv (make compat-table) and
# checked against docs/compatibility.md's
compat_check() {
	if [ -s "$1/compat.tsv" ]; then
		cp "$1/compat.tsv" "$cache/compat-$2.tsv"
		"$repo/tools/tests/compat.py" check "$repo/docs/compatibility.md" "$cache/compat-$2.tsv"
	else
		fail "compat: the $2 checks recorded their probes"
	fi
}
