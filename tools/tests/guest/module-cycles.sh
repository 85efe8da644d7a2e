#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In a test machine where snd-sgscope is a module file, not loaded:
# CYCLES times insmod, a short playback through one PCM (the four in turn),
# rmmod, with the card and its debugfs there after every insmod and gone
# after every rmmod; then kmemleak (where the kernel has it) and the kernel
# log: nothing at warning level or above but the out-of-tree taint.
# $1: the module file  $2: a short WAV to play  $3: cycles  $4: label
ko=$1 wav=$2 cycles=$3 label=$4
. "$(dirname "$0")/lib.sh"
leaks=/sys/kernel/debug/kmemleak
start_checks
name=$(modinfo -F name "$ko")
dbg=/sys/kernel/debug/sgscope

dmesg -C
[ -e $leaks ] && echo clear >$leaks
done=0 played=0 gone=0
for i in $(seq "$cycles"); do
	insmod "$ko" || break
	sgscope_card
	[ -n "$card" ] && [ -e "$debugfs/pcm1-playback/layout" ] || break
	aplay -q -D "hw:sgscope,$((i % 4))" "$wav" && played=$((played + 1))
	rmmod "$name" || break
	[ ! -e $dbg ] && [ -z "$(card_of sgscope)" ] && gone=$((gone + 1))
	done=$((done + 1))
done
expect "module cycles: insmod, card and debugfs there, rmmod, every time ($label: $cycles cycles)" "$cycles" "$done"
expect "module cycles: every cycle plays ($label)" "$cycles" "$played"
expect "module cycles: the card and the debugfs directory go with the module ($label)" "$cycles" "$gone"
if [ -e $leaks ]; then
	# kmemleak reports an object only once it has been unreferenced for
	# a while and seen in two scans
	sleep 6
	echo scan >$leaks
	echo scan >$leaks
	expect "module cycles: kmemleak finds no leak ($label)" 0 "$(grep -c '^unreferenced object' $leaks)"
else
	echo "# $label: this kernel has no kmemleak (CONFIG_DEBUG_KMEMLEAK)"
fi
log=$(dmesg -l emerg,alert,crit,err,warn | grep -v 'taint')
[ -z "$log" ]
check $? "module cycles: the kernel log has no warning or error ($label)"
[ -z "$log" ] || echo "$log" | sed 's/^/#   /'

finish
