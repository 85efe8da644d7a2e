#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The soak's stream checker (tools/soak/soak-stream, which follows every
# card's playback in make soak): on a stream with known damage it must
# find each break at its offset, and on an undamaged one none.
source "$(dirname "$0")/lib.sh"
start_checks
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the checker: a stream with one corrupted frame, a gap of 100 frames, 100
# frames of silence and a repeat of 200
gcc -O2 -Wall -Wextra -Werror -I"$repo/tools/soak" -o "$tmp/soak-stream" \
	"$repo/tools/soak/soak-stream.c" "$repo/tools/soak/soak_check.c"
check $? "soak: soak-stream builds" || finish
"$tmp/soak-stream" gen 5 | head -c 40000 | python3 -c '
import sys
d = bytearray(sys.stdin.buffer.read())
d[4000 * 4 + 1] ^= 0x10
d = d[:6000 * 4] + d[6100 * 4:]
d = d + bytes(400) + d[9000 * 4 - 800:9000 * 4]
sys.stdout.buffer.write(d)' | "$tmp/soak-stream" check >"$tmp/damaged.jsonl"
expect "soak: the checker finds each break at its offset" \
	"corrupt 4000 4005,gap 6000 6005,repeat 10000 10005" \
	"$(jq -r 'select(.break) | "\(.break) \(.offset) \(.expected)"' "$tmp/damaged.jsonl" | paste -sd,)"
expect "soak: ... and counts the silence and the frames" "10200 100 9105" \
	"$(jq -r 'select(.summary) | "\(.frames) \(.silent) \(.next)"' "$tmp/damaged.jsonl")"
"$tmp/soak-stream" gen | head -c 400000 | "$tmp/soak-stream" check >"$tmp/clean.jsonl"
expect "soak: an undamaged stream has no break" "100000 0 0 0 0" \
	"$(jq -r 'select(.summary) | "\(.frames) \(.gaps) \(.repeats) \(.corrupt) \(.foreign)"' "$tmp/clean.jsonl")"
"$tmp/soak-stream" frobnicate 2>/dev/null
expect "soak: soak-stream refuses a bad command with exit 2" 2 $?

finish
