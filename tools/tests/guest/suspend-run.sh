#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# suspend.sh's second half, in its chroot (no 9p from here on): $1 is
# aplay.  Per PCM: play, suspend one second in, and expect aplay to see
# the suspend (it prepares the stream again: the driver does not claim
# SNDRV_PCM_INFO_RESUME) and play the rest of its file.  ftrace shows the
# codec saved and restored through snd-ac97-codec by the driver's PM ops.
/bin/busybox --install -s /bin
export PATH=/bin
aplay=$1
T=/sys/kernel/tracing
. /lib.sh
start_checks
echo 1 >/sys/module/suspend/parameters/pm_test_delay
echo devices >/sys/power/pm_test
echo 'snd_ac97_suspend snd_ac97_resume' >$T/set_ftrace_filter
echo function >$T/current_tracer
echo >$T/trace

for pcm in 0 1 2 3; do
	$aplay -D hw:sgscope,$pcm /data/in-suspend-pcm$pcm.wav 2>/tmp/aplay.err &
	pid=$!
	sleep 1
	echo mem >/sys/power/state
	check $? "suspend: pm_test devices cycle with pcm$pcm playing"
	wait $pid
	rc=$?
	[ "$rc" = 0 ] && grep -q Suspended /tmp/aplay.err
	check $? "suspend: pcm$pcm plays on after a suspend (aplay exit $rc)" || sed 's/^/#   /' /tmp/aplay.err
	ac97=$(grep -c 'snd_ac97_suspend <-sgscope_suspend' $T/trace)
	[ "$ac97" = 1 ] && [ "$(grep -c 'snd_ac97_resume <-sgscope_resume' $T/trace)" = 1 ]
	check $? "suspend: codec saved and restored by the driver (pcm$pcm)" ||
		sed 's/^/#   /' $T/trace | grep -v '^#   #' | head -5
	echo >$T/trace
done
echo nop >$T/current_tracer
echo none >/sys/power/pm_test
sync
end_checks
echo "sgscope-vm-status: $((failures > 0))"
sleep 1
poweroff -f
