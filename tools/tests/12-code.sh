#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The code itself: no C or Python function in the tree runs over 80 lines
# (tools/tests/function-lengths.py), and that check can fail: a function
# of 81 lines is listed, one of 80 is not, and a scan that finds no
# function fails.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lengths="$repo/tools/tests/function-lengths.py"

out=$("$lengths" 2>&1)
rc=$?
long=$(grep -v '^#' <<<"$out")
scanned=$(sed -n 's/^# scanned \([0-9]*\) functions.*/\1/p' <<<"$out")
expect "code: no C or Python function is over 80 lines" "" "$long"
[ "${scanned:-0}" -gt 0 ]
check $? "code: the function-length scan found functions to measure ($(tail -1 <<<"$out"))" "exit $rc"

# c_body LINES NAME: a C function of LINES lines, "{" to "}"
c_body() {
	echo "static int $2(int x)"
	echo "{"
	for _ in $(seq $(($1 - 2))); do echo "	x++;"; done
	echo "}"
}
# py_body LINES NAME: a Python function of LINES lines, def to last
py_body() {
	echo "def $2(x):"
	for _ in $(seq $(($1 - 1))); do echo "    x += 1"; done
}
{ c_body 81 too_long_c; c_body 80 just_right_c; } >"$tmp/long.c"
{ py_body 81 too_long_py; echo; py_body 80 just_right_py; } >"$tmp/long.py"
out=$("$lengths" "$tmp/long.c" "$tmp/long.py" 2>&1)
rc=$?
expect "code: a function of 81 lines is listed, one of 80 is not (C and Python), exit 1" \
	"too_long_c 81|too_long_py 81|exit 1" "$(grep -v '^#' <<<"$out" | awk '{print $2, $3}' | paste -sd'|')|exit $rc"
: >"$tmp/empty.py"
out=$("$lengths" "$tmp/empty.py" 2>&1)
expect "code: a scan that finds no function fails (exit 1)" 1 $?
finish
