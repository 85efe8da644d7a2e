#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The KUnit suites built into the sgscope kernel, run by kunit.py (its QEMU
# runner and its KTAP parser) against the one kernel build: first plainly,
# as docs/test-machine.md's kunit.py command runs them (no AC97 device: sgscope_hw's
# cases must be skipped, saying why, and every other case pass), then with
# the AC97 device, where every case must pass and a skip is a failure.
# Every case of that second run becomes one ok/not ok line; the raw KTAP
# of both runs is kept in results/kunit/.
source "$(dirname "$0")/lib.sh"
# the device run's cases are a block of their own
start_checks

ksrc=${KSRC:-$cache/linux-source-6.12}
out="$repo/results/kunit$variant"
mkdir -p "$out"
# QEMU in the test machine's clock (tools/vm's: icount by default, so the
# suites' waits on the device cost no wall time)
clock_args=$("$vm" --clock-args) || exit 1
echo "# kunit.py's QEMU: ${clock_args:-wall clock}"
# kunit_exec NAME [QEMU ARGS]: kunit.py exec against the build, its JSON in
# $out/NAME.json, its log in $out/NAME.py.log and the KTAP in $out/NAME.ktap
kunit_exec() {
	local name=$1 rc
	shift
	rm -f "$out/$name.json" "$out/$name.ktap"
	python3 "$ksrc/tools/testing/kunit/kunit.py" exec --arch=x86_64 \
		--qemu_args="$* $clock_args" --build_dir="$kbuild" --timeout=600 \
		--json="$out/$name.json" >"$out/$name.py.log" 2>&1
	rc=$?
	cp "$kbuild/test.log" "$out/$name.ktap" 2>/dev/null
	# a splat in the run's kernel log fails the suite, as in tools/vm's boots
	"$vm" --scan "$out/$name.ktap"
	return $rc
}
# cases JSON: "SUITE.CASE STATUS" per test case kunit.py reported
cases() { "$repo/tools/tests/checks.py" kunit-cases "$1"; }

# Plain: no AC97 device
kunit_exec kunit-plain
plain_rc=$?
plain=$(cases "$out/kunit-plain.json" 2>/dev/null)
hw=$(grep '^sgscope_hw\.' <<<"$plain")
# each of sgscope_hw's cases skipped in the KTAP with the reason
reasons=$(grep -cE '^\s*\[[ 0-9.]+\]\s{2,}ok [0-9]+ [a-z_]+ # SKIP no AC97 device' "$out/kunit-plain.ktap" 2>/dev/null)
if [ -n "$hw" ] && ! grep -qv ' SKIP$' <<<"$hw" && [ "$reasons" = "$(wc -l <<<"$hw")" ]; then
	pass "kunit plain (no AC97 device): sgscope_hw's $reasons case(s) skipped, saying why"
else
	fail "kunit plain (no AC97 device): sgscope_hw's cases skipped, saying why" \
		"kunit.py exited $plain_rc; log: $out/kunit-plain.py.log" "cases: ${hw:-none}" \
		"skips with the reason in the KTAP: ${reasons:-none}"
fi
others=$(grep -v '^sgscope_hw\.' <<<"$plain" | grep .)
bad=$(grep -v ' PASS$' <<<"$others")
if [ -n "$others" ] && [ -z "$bad" ] && [ "$plain_rc" = 0 ]; then
	pass "kunit plain (no AC97 device): every other case passes ($(wc -l <<<"$others")) and kunit.py exits 0"
else
	fail "kunit plain (no AC97 device): every other case passes and kunit.py exits 0" \
		"kunit.py exited $plain_rc; log: $out/kunit-plain.py.log" "not passed: ${bad:-no cases}"
fi

# With the AC97 device, for the sgscope_hw suite, on the test machine's
# q35: on kunit.py's default i440FX the debug kernel's ACPI takes so long
# over the PCI interrupt links that the device gets no interrupt routing
# ("can't derive routing for PCI INT A")
kunit_exec kunit -machine q35 -audiodev none,id=snd0 -device AC97,audiodev=snd0
rc=$?
tail -4 "$out/kunit.py.log" | sed 's/^/# /'
cp "$out/kunit.ktap" "$out/ktap.txt" 2>/dev/null
results=$(cases "$out/kunit.json" 2>/dev/null)
if [ -z "$results" ]; then
	fail "kunit: kunit.py produced results" "kunit.py exited $rc; log: $out/kunit.py.log"
	finish
fi
# kunit.py checked the kernel's own KTAP plans; these are its cases, and a
# skip (or a missing sgscope_hw) is a failure here
grep -q '^sgscope_hw\.' <<<"$results" || results+=$'\nsgscope_hw MISSING'
echo "1..$(wc -l <<<"$results")"
while read -r name status; do
	if [ "$status" = PASS ]; then
		echo "ok - kunit: $name"
	else
		echo "not ok - kunit: $name (status $status)"
		failures=$((failures + 1))
	fi
done <<<"$results"
expect "kunit: kunit.py exits 0" 0 "$rc"
finish
