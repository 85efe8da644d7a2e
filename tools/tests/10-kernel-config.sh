#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel config check: the repo's fragment configures cleanly, and a
# fragment asking for an option Kconfig cannot give stops the build and
# names the option.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# An x86 kernel cannot have ARM64's software tag-based KASAN.
mkdir -p "$tmp/bad"
cp "$repo/kunit/.kunitconfig" "$tmp/bad/.kunitconfig"
echo "CONFIG_KASAN_SW_TAGS=y" >>"$tmp/bad/.kunitconfig"
out=$(KUNITCONFIG="$tmp/bad" KBUILD="$tmp/build-bad" "$repo/tools/kernel-build" --config-only 2>&1)
rc=$?
expect "config: a fragment with an impossible option fails" 1 "$rc"
contains "config: the failure names the dropped option" "CONFIG_KASAN_SW_TAGS=y" "$out"

out=$(KBUILD="$tmp/build-good" "$repo/tools/kernel-build" --config-only 2>&1)
rc=$?
check $rc "config: the repo's fragment configures cleanly" "exit $rc" "$(tail -5 <<<"$out")"

# Every option of the fragment reached the real build's .config.
missing=""
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) grep -qx "$line" "$kbuild/.config" || missing+=" $line" ;; esac
done <"$repo/kunit/.kunitconfig"
expect "config: the built kernel has every option of the fragment" "" "$missing"

# The plain kernel (benchmark and most suites) has none of the debug
# kernel's checks: one build folder holding the other's kernel would time
# every path with KASAN and lockdep in it.
debug_opts=$(grep '^CONFIG_' "$repo/kunit/debug.config")
[ -n "$debug_opts" ] || fail "config: kunit/debug.config names options"
found=$(grep -xF -f <(printf '%s\n' "$debug_opts") "$kbuild/.config" | tr '\n' ' ')
expect "config: the test kernel ($kbuild) has none of debug.config's checks" "" "$found"
# and tools/kernel-build refuses to build the debug kernel into it
out=$(DEBUG_KBUILD="$kbuild" "$repo/tools/kernel-build" --debug 2>&1)
expect "config: kernel-build --debug with DEBUG_KBUILD = KBUILD exits 2" 2 "$?"
contains "config: ... naming the clash" "would replace the plain one" "$out"
finish
