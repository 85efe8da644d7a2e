#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the stock-kernel test machine, under tools/vm --capture IN --wav OUT:
# snd-sgscope built against the kernel's headers plays every input of $1
# (play.sh) and captures (capture.sh), both without their forced SG
# fallback, which needs fail_page_alloc; then goes through the module
# cycles.  $2: cycles
dir=$1 cycles=$2
here=$(dirname "$0")
modprobe snd-pcm && modprobe snd-ac97-codec && insmod "$dir/snd-sgscope.ko" || exit 1
sh "$here/play.sh" "$dir" plain
sh "$here/capture.sh" "$dir" plain
rmmod snd_sgscope || exit 1
sh "$here/module-cycles.sh" "$dir/snd-sgscope.ko" "$dir/short.wav" "$cycles" "stock: module"
