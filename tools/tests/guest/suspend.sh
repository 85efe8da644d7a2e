#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine, recording to --wav: suspend and resume the machine
# (pm_test "devices": every device's PM callbacks run, the machine keeps
# running) while each PCM plays DIR/in-suspend-pcmN.wav, and report on
# the output only.  A suspend resets the virtio devices and 9p does not set
# its queues up again, so the plays run in a chroot on tmpfs holding
# busybox, aplay with its libraries and alsa-lib's configuration; the
# script ends by powering the machine off (tools/vm reads the status line).
dir=$1
root=/tmp/suspend-root
. "$(dirname "$0")/lib.sh"
sgscope_card
amixer -q -c sgscope sset Master 100% unmute && amixer -q -c sgscope sset PCM 100% unmute
echo "# card $card"

mkdir -p $root/bin $root/dev $root/proc $root/sys $root/tmp $root/data
cp /bin/busybox $root/bin/
bin=$(command -v aplay)
for f in "$bin" $(ldd "$bin" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
	cp --parents -L "$f" $root/
done
cp --parents -r /usr/share/alsa $root/
cp "$dir"/in-suspend-*.wav $root/data/
cp "$(dirname "$0")/suspend-run.sh" "$(dirname "$0")/lib.sh" "$(dirname "$0")/../checks.sh" $root/
mount --bind /dev $root/dev
mount --bind /proc $root/proc
mount --rbind /sys $root/sys
exec chroot $root /bin/busybox sh /suspend-run.sh "$bin"
