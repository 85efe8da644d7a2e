#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: sgscope inject puts every knob back, whether the
# command ends, sgscope is interrupted, or arming fails.
S=$(cd "$(dirname "$0")/../../.." && pwd)/build/sgscope/sgscope
say() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
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
say $? "inject: knobs restored after the command ends"

"$S" inject --slab --within snd_pcm_ioctl --probability 50 --times 3 -- sleep 30 2>/tmp/armed &
pid=$!
for i in $(seq 1000); do grep -q armed /tmp/armed && break; sleep 0.1; done
during=$(cat /sys/kernel/debug/failslab/probability /sys/kernel/debug/failslab/ignore-gfp-wait | tr '\n' ' ')
kill -INT $pid
wait $pid
rc=$?
[ "$during" = "50 N " ]
say $? "inject: --slab arms failslab (probability 50, ignore-gfp-wait N: $during)"
[ "$(knobs)" = "$before" ] && [ $rc = 130 ]
say $? "inject: Ctrl-C stops the command and restores the knobs (exit $rc)"

"$S" inject --pages --within no_such_function_here -- true 2>/tmp/err
rc=$?
[ "$(knobs)" = "$before" ] && [ $rc = 1 ] && grep -q no_such_function_here /tmp/err
say $? "inject: a failed arming says why, exits 1 and restores what it set"

"$S" inject --fragment 50 -- true 2>/dev/null
[ "$(knobs)" = "$before" ]
say $? "inject: sysctls restored after --fragment"
"$S" inject --pressure 32 -- true 2>/dev/null
! ls /sys/fs/cgroup | grep -q sgscope-pressure
say $? "inject: the pressure cgroup is removed afterwards"
