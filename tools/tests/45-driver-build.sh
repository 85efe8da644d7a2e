#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# snd-sgscope builds out of tree with W=1 and no warning, against the
# project's 6.12 build and against Debian bookworm's 6.1 headers, and its
# sources are checkpatch.pl --strict clean.
source "$(dirname "$0")/lib.sh"
start_checks

ksrc=${KSRC:-$cache/linux-source-6.12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# build_oot NAME KDIR [make args]: a copy of driver/ so the clone stays clean.
# Against the project's kernel, which has snd-sgscope and its KUnit suite
# built in, the copy is built without the suite's exports.
build_oot() {
	local name=$1 kdir=$2 out rc
	shift 2
	rm -rf "$tmp/$name"
	cp -r "$repo/driver" "$tmp/$name"
	out=$(make -C "$kdir" M="$tmp/$name" CONFIG_SND_SGSCOPE=m W=1 "$@" 2>&1)
	rc=$?
	warnings=$(grep -E 'warning|error|ERROR|WARNING' <<<"$out")
	expect "build: out of tree exits 0 ($name)" 0 "$rc"
	expect "build: out of tree with W=1 has no warning ($name)" "" "$warnings"
	if [ -f "$tmp/$name/snd-sgscope.ko" ]; then
		pass "build: out of tree gives snd-sgscope.ko ($name)"
	else
		fail "build: out of tree gives snd-sgscope.ko ($name)" "$(tail -5 <<<"$out")"
	fi
}

build_oot linux-6.12 "$kbuild" CONFIG_SND_SGSCOPE_KUNIT_TEST= "CC=ccache gcc"
headers61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -1)
if [ -n "$headers61" ]; then
	build_oot "$(basename "$headers61")" "$headers61"
else
	fail "build: Debian's 6.1 headers are installed (make deps installs linux-headers-amd64)"
fi

out=$(perl "$ksrc/scripts/checkpatch.pl" --no-tree --terse --strict -f \
	"$repo"/driver/*.[ch] "$repo"/kunit/*.c 2>&1 | grep -E ': (ERROR|WARNING|CHECK): ')
expect "build: driver/ and kunit/ are checkpatch.pl --strict clean" "" "$out"
finish
