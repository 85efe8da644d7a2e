#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own ALSA selftests, pcm-test and mixer-test, built from the
# kernel source and run in the test machine against the sgscope card.  A
# skip passes only when alsa-conf.d/sgscope.conf lists it with its reason.
source "$(dirname "$0")/lib.sh"
# the run; each selftest's results are relayed under its own plan
plan 1

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
python3 - "$work" "$repo/tools/tests/alsa-conf.d/sgscope.conf" <<'PY'
import re, sys
work, conf = sys.argv[1], sys.argv[2]
expected = dict(re.findall(r"^# sgscope-expected-skip: (\S+) (.*)$", open(conf).read(), re.M))
for tool in ("pcm-test", "mixer-test"):
    try:
        lines = open(f"{work}/{tool}.tap", errors="replace").read().splitlines()
    except OSError:
        print(f"not ok - {tool}: produced output")
        continue
    counted = 0
    # the selftest's own KTAP plan heads its relayed results
    plans = [l for l in lines if re.match(r"^1\.\.\d+$", l)]
    print(plans[0] if plans else f"# {tool}: no plan")
    for at, line in enumerate(lines):
        m = re.match(r"^(ok|not ok) \d+ (# SKIP )?(.*)$", line)
        if not m:
            continue
        counted += 1
        status, skip, name = m.group(1), m.group(2), m.group(3).strip()
        if skip:
            # default.time1.sgscope.3.0.CAPTURE -> default.time1
            key = ".".join(name.split(".")[:2])
            if key in expected:
                print(f"ok - {tool}: {name} skipped as listed ({expected[key]})")
            else:
                print(f"not ok - {tool}: {name} skipped but not listed in sgscope.conf")
        else:
            print(f"{status} - {tool}: {name}")
            # pcm-test says why right after a failure
            if status == "not ok" and at + 1 < len(lines) and lines[at + 1].startswith("# "):
                print("#   " + lines[at + 1][2:])
    tail = [l for l in lines if l.startswith("# Totals")]
    print(f"# {tool}: {tail[-1][2:] if tail else 'no totals'}")
    if counted == 0:
        print(f"not ok - {tool}: ran tests")
        print("\n".join("#   " + l for l in lines[:10]))
PY
[ $? = 0 ] || fail "alsa-selftests: the results parse"
finish
