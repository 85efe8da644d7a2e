#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: sgscope inject puts every knob back, whether the
# command ends, sgscope is interrupted, or arming fails.
S=$(cd "$(dirname "$0")/../../.." && pwd)/build/sgscope/sgscope
. "$(dirname "$0")/lib.sh"
start_checks
knobs() {
	for d in failslab fail_page_alloc; do
		for k in probability ignore-gfp-wait task-filter times require-start; do
			printf '%s/%s=%s ' $d $k "$(cat /sys/kernel/debug/$d/$k)"
		done
	done
	printf 'min-order=%s proactiveness=%s' "$(cat /sys/kernel/debug/fail_page_alloc/min-order)" \
		"$(cat /proc/sys/vm/compaction_proactiveness)"
}
before=$(knobs)

"$S" inject --pages --within snd_pcm_ioctl -- true 2>/dev/null
[ "$(knobs)" = "$before" ]
check $? "inject: knobs restored after the command ends"

"$S" inject --slab --within snd_pcm_ioctl --probability 50 --times 3 -- sleep 30 2>/tmp/armed &
pid=$!
for i in $(seq 1000); do grep -q armed /tmp/armed && break; sleep 0.1; done
during=$(cat /sys/kernel/debug/failslab/probability /sys/kernel/debug/failslab/ignore-gfp-wait | tr '\n' ' ')
kill -INT $pid
wait $pid
rc=$?
[ "$during" = "50 N " ]
check $? "inject: --slab arms failslab (probability 50, ignore-gfp-wait N: $during)"
[ "$(knobs)" = "$before" ] && [ $rc = 130 ]
check $? "inject: Ctrl-C stops the command and restores the knobs (exit $rc)"

"$S" inject --pages --within no_such_function_here -- true 2>/tmp/err
rc=$?
[ "$(knobs)" = "$before" ] && [ $rc = 1 ] && grep -q no_such_function_here /tmp/err
check $? "inject: a failed arming says why, exits 1 and restores what it set"

"$S" inject --fragment 50 -- true 2>/dev/null
[ "$(knobs)" = "$before" ]
check $? "inject: sysctls restored after --fragment"
"$S" inject --pressure 32 -- true 2>/dev/null
! ls /sys/fs/cgroup | grep -q sgscope-pressure
check $? "inject: the pressure cgroup is removed afterwards"

# --lowmem: the free memory of the user zone taken, down to its min
# watermark (kswapd then reclaims some of it back), allocations after it
# reclaim, SIGUSR1 takes again what they took, and everything comes back
# at the end
taken() { # the Nth report's kB taken
	sed -n 's/.*lowmem filled: zone [^ ]*, \([0-9]*\) kB taken.*/\1/p' /tmp/lowmem | sed -n "$1p"
}
zone_free() { # free pages of the zone with the most managed pages
	awk '$1=="pages" && $2=="free" {f=$3} $1=="managed" && $2>best {best=$2; out=f} END {print out}' \
		/proc/zoneinfo
}
before=$(($(zone_free) * 4))
"$S" inject --lowmem 0 -d 600 2>/tmp/lowmem &
pid=$!
for i in $(seq 1000); do grep -q armed /tmp/lowmem && break; sleep 0.1; done
t=$(taken 1)
[ -n "$t" ] && [ "$t" -ge $((before * 9 / 10)) ]
check $? "inject: --lowmem takes the free memory ($t of $before kB)"
steal0=$(awk '/^pgsteal_(direct|kswapd) / {n+=$2} END {print n}' /proc/vmstat)
python3 -c 'b = bytearray(32 << 20)'
steal1=$(awk '/^pgsteal_(direct|kswapd) / {n+=$2} END {print n}' /proc/vmstat)
[ "$steal1" -gt "$steal0" ]
check $? "inject: under --lowmem, a 32 MB allocation reclaims ($((steal1 - steal0)) pages)"
kill -USR1 $pid
for _ in $(seq 1000); do [ -n "$(taken 2)" ] && break; sleep 0.1; done
t=$(taken 2)
[ -n "$t" ] && [ "$t" -gt 0 ]
check $? "inject: SIGUSR1 takes again what was reclaimed ($t kB)"
kill -INT $pid
wait $pid
rc=$?
free=$(zone_free)
[ $rc = 0 ] && [ "$((free * 4))" -ge $((before * 9 / 10)) ] && grep -q 'PSI memory stall' /tmp/lowmem
check $? "inject: the memory comes back at the end, PSI reported (exit $rc, free $((free * 4)) kB)"
finish
