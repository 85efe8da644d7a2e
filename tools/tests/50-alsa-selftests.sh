#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own ALSA selftests, pcm-test and mixer-test, built from the
# kernel source and run in the test machine against the sgscope card.  A
# skip passes only when alsa-conf.d/sgscope.conf lists it with its reason.
source "$(dirname "$0")/lib.sh"
# the run; each selftest's results are relayed under its own plan, in
# tools/tests/checks.py's block
start_checks

ksrc=${KSRC:-$cache/linux-source-6.12}
bin="$cache/alsa-selftests"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/alsa"
mkdir -p "$bin" "$work/conf.d"

if ! make -s -C "$ksrc/tools/testing/selftests/alsa" OUTPUT="$bin" \
	"$bin/pcm-test" "$bin/mixer-test" >"$tmp/build.log" 2>&1; then
	fail "alsa-selftests: pcm-test and mixer-test build" "$(tail -5 "$tmp/build.log")"
	finish
fi
cp "$bin/pcm-test" "$bin/mixer-test" "$bin/libatest.so" \
	"$ksrc/tools/testing/selftests/alsa/pcm-test.conf" "$work/"
if ! cp "$repo/tools/tests/alsa-conf.d/sgscope.conf" "$work/conf.d/"; then
	fail "alsa-selftests: the card's conf.d file exists"
	finish
fi

"$vm" --results "$work" --console "$tmp/console.log" --timeout 900 -- sh -c \
	'cd "$1" && ./pcm-test >pcm-test.tap 2>&1; ./mixer-test >mixer-test.tap 2>&1; true' \
	sh "$work"
rc=$?
expect "alsa-selftests: the run completes" 0 "$rc"

# ok/not ok per test; a skip must be listed as "sgscope-expected-skip: TEST"
"$repo/tools/tests/checks.py" alsa-selftests "$work" "$repo/tools/tests/alsa-conf.d/sgscope.conf"
check $? "alsa-selftests: the results parse"
finish
