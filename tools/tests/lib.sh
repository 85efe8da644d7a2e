# SPDX-License-Identifier: GPL-2.0
# Helpers for sgscope's shell test suites.  A suite reports its checks
# through tools/tests/checks.sh, the guest scripts' helper too:
# start_checks, then pass, fail, check, expect and contains print "ok -
# NAME" or "not ok - NAME" lines, which tools/run-tests counts, and finish
# ends the suite's block with its KTAP plan (tools/tests/ktap-plans.py); a
# guest script or helper it runs reports a block of its own.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${SGSCOPE_CACHE:-$HOME/.cache/sgscope}
vm="$repo/tools/vm"
# shellcheck source=tools/tests/checks.sh
source "$repo/tools/tests/checks.sh"
# compat_check WORK NAME: the compatibility rows a guest run recorded in
# WORK/compat.tsv, kept as $cache/compat-NAME.tsv (make compat-table) and
# checked against docs/compatibility.md's
compat_check() {
	if [ -s "$1/compat.tsv" ]; then
		cp "$1/compat.tsv" "$cache/compat-$2.tsv"
		# compat.py prints its one result without a plan: counted here
		relay "$repo/tools/tests/compat.py" check "$repo/docs/compatibility.md" "$cache/compat-$2.tsv"
	else
		fail "compat: the $2 checks recorded their probes"
	fi
}
# stock_module STOCK WORK: snd-sgscope built out of tree against the
# headers of tools/stock-kernel's STOCK folder, into WORK/snd-sgscope.ko;
# make's output in WORK/stock-module.log
stock_module() {
	local src
	src=$(mktemp -d)
	cp -r "$repo/driver/." "$src/"
	make -C "$1/build" M="$src" CONFIG_SND_SGSCOPE=m >"$2/stock-module.log" 2>&1 &&
		cp "$src/snd-sgscope.ko" "$2/"
	local rc=$?
	rm -rf "$src"
	return $rc
}
