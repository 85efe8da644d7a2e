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
failed=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; failed=1; }
echo 1 >/sys/module/suspend/parameters/pm_test_delay
echo devices >/sys/power/pm_test
echo 'snd_ac97_suspend snd_ac97_resume' >$T/set_ftrace_filter
echo function >$T/current_tracer
echo >$T/trace

for pcm in 0 1 2 3; do
	name="suspend: pcm$pcm plays on after a suspend"
	$aplay -D hw:sgscope,$pcm /data/in-suspend-pcm$pcm.wav 2>/tmp/aplay.err &
	pid=$!
	sleep 1
	if echo mem >/sys/power/state; then
		ok "suspend: pm_test devices cycle with pcm$pcm playing"
	else
		not_ok "suspend: pm_test devices cycle with pcm$pcm playing"
	fi
	wait $pid
	rc=$?
	if [ "$rc" = 0 ] && grep -q Suspended /tmp/aplay.err; then
		ok "$name"
	else
		not_ok "$name (aplay exit $rc)"
		sed 's/^/#   /' /tmp/aplay.err
	fi
	ac97=$(grep -c 'snd_ac97_suspend <-sgscope_suspend' $T/trace)
	if [ "$ac97" = 1 ] && [ "$(grep -c 'snd_ac97_resume <-sgscope_resume' $T/trace)" = 1 ]; then
		ok "suspend: codec saved and restored by the driver (pcm$pcm)"
	else
		not_ok "suspend: codec saved and restored by the driver (pcm$pcm)"
		sed 's/^/#   /' $T/trace | grep -v '^#   #' | head -5
	fi
	echo >$T/trace
done
echo nop >$T/current_tracer
echo none >/sys/power/pm_test
sync
echo "sgscope-vm-status: $failed"
sleep 1
poweroff -f
