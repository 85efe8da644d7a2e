#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: pcm-fuzz ($1) for $2 rounds on every PCM of the
# sgscope card, seed $3 if given, then what the kernel says of it: no
# oops, WARN or BUG in the log, no leak kmemleak can find, and the
# driver's live-object counters back at zero.
fuzz=$1 rounds=$2 seed=${3:-}
. "$(dirname "$0")/lib.sh"
start_checks
sgscope_card
dbg=$debugfs
dmesg -C
echo clear >/sys/kernel/debug/kmemleak
start=$(cut -d' ' -f1 /proc/uptime)
"$fuzz" -c "$card" -n "$rounds" ${seed:+-s "$seed"}
rc=$?
echo "# $rounds rounds in $(echo "$(cut -d' ' -f1 /proc/uptime) - $start" | bc) s of guest time"
check $rc "fuzz: $rounds rounds, every refusal an expected errno, every accepted configuration ran"
log=$(dmesg --level=emerg,alert,crit,err,warn)
[ -z "$log" ]
check $? "fuzz: the kernel log has no warning or error"
[ -z "$log" ] || echo "$log" | head -20 | sed 's/^/#   /'
echo scan >/sys/kernel/debug/kmemleak
leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
check "$leaks" "fuzz: kmemleak finds no leak ($leaks)"
live=$(grep '^live_' $dbg/counters | grep -v ' 0$')
[ -z "$live" ]
check $? "fuzz: the driver's live objects are back at zero"
[ -z "$live" ] || echo "$live" | sed 's/^/#   /'
finish
