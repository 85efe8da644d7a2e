#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The KUnit suites built into the sgscope kernel, run by kunit.py (its QEMU
# runner and its KTAP parser) against the one kernel build.  Every test
# case becomes one ok/not ok line; the raw KTAP is kept in results/kunit/.
source "$(dirname "$0")/lib.sh"
# kunit.py's exit; the test cases are a block of their own
plan 1

kbuild=${KBUILD:-$cache/build}
ksrc=${KSRC:-$cache/linux-source-6.12}
out="$repo/results/kunit"
mkdir -p "$out"
json="$out/kunit.json"
rm -f "$json"
# the AC97 device for the sgscope_hw suite, in the test machine's clock
# (tools/vm's: QEMU icount by default, so the suites' waits on the device
# cost no wall time)
clock_args=$("$vm" --clock-args) || exit 1
echo "# kunit.py's QEMU: ${clock_args:-wall clock}"
python3 "$ksrc/tools/testing/kunit/kunit.py" exec --arch=x86_64 \
	--qemu_args="-audiodev none,id=snd0 -device AC97,audiodev=snd0 $clock_args" \
	--build_dir="$kbuild" --timeout=600 --json="$json" >"$out/kunit.py.log" 2>&1
rc=$?
tail -4 "$out/kunit.py.log" | sed 's/^/# /'
cp "$kbuild/test.log" "$out/ktap.txt" 2>/dev/null
if [ ! -s "$json" ]; then
	fail "kunit: kunit.py produced results" "kunit.py exited $rc; log: $out/kunit.py.log"
	finish
fi
python3 - "$json" <<'PY'
import json, sys
results = []
def walk(group, prefix):
    for case in group.get("test_cases", []):
        results.append((f"{prefix}{case['name']}", case["status"]))
    for sub in group.get("sub_groups", []):
        walk(sub, f"{sub['name']}.")
walk(json.load(open(sys.argv[1])), "")
# kunit.py checked the kernel's own KTAP plans; these are its cases
print(f"1..{len(results)}")
for name, status in results:
    ok = status == "PASS"
    print(("ok - kunit: " if ok else "not ok - kunit: ") + name + ("" if ok else f"  # {status}"))
PY
expect "kunit: kunit.py exits 0" 0 "$rc"
finish
