#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# suspend.sh's second half, in its chroot (no 9p from here on): $1 is
# aplay.  Per PCM: play, suspend once the hardware has played a second
# of the clip (a fixed sleep is not enough: on the debug kernel aplay can
# take longer than that to start, and a suspend before the start loses
# nothing, so it tests nothing), and expect aplay to see
# the suspend (it prepares the stream again: the driver does not claim
# SNDRV_PCM_INFO_RESUME) and play the rest of its file.  ftrace shows the
# codec saved and restored through snd-ac97-codec by the driver's PM ops,
# and whether the stream ran dry (an xrun) while the suspend froze aplay
# before it reached the driver: it did on the debug kernel, whose first
# suspend took longer than aplay's buffer, and then nothing is lost.
/bin/busybox --install -s /bin
export PATH=/bin
aplay=$1
T=/sys/kernel/tracing
. /lib.sh

# played PCM: wait until PCM's playback hw_ptr has passed one second of
# frames at the rate aplay set; fails after 60 s of waiting.
played() {
	sub=/proc/asound/sgscope/pcm$1p/sub0
	tries=600
	while [ $tries -gt 0 ]; do
		rate=$(awk '$1 == "rate:" { print $2 }' $sub/hw_params 2>/dev/null)
		ptr=$(awk '$1 == "hw_ptr" { print $3 }' $sub/status 2>/dev/null)
		[ -n "$rate" ] && [ "${ptr:-0}" -ge "$rate" ] && return 0
		tries=$((tries - 1))
		sleep 0.1
	done
	return 1
}
start_checks
echo 1 >/sys/module/suspend/parameters/pm_test_delay
echo devices >/sys/power/pm_test
echo 'snd_ac97_suspend snd_ac97_resume' >$T/set_ftrace_filter
echo __snd_pcm_xrun >>$T/set_ftrace_filter && xruns_traced=1
echo function >$T/current_tracer
echo >$T/trace

for pcm in 0 1 2 3; do
	$aplay -D hw:sgscope,$pcm /data/in-suspend-pcm$pcm.wav 2>/tmp/aplay.err &
	pid=$!
	played $pcm
	check $? "suspend: pcm$pcm has played a second before the suspend (hw_ptr ${ptr:-none})"
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
	[ -z "$xruns_traced" ] ||
		echo "# pcm$pcm: $(grep -c ' __snd_pcm_xrun <-' $T/trace) xruns in the suspend cycle"
	echo >$T/trace
done
echo nop >$T/current_tracer
echo none >/sys/power/pm_test
sync
end_checks
echo "sgscope-vm-status: $((failures > 0))"
sleep 1
poweroff -f
