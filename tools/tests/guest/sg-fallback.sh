# SPDX-License-Identifier: GPL-2.0
# Sourced by guest scripts: force ALSA's DEV_SG allocations into the SG
# fallback (sg_fallback_on), undo it (sg_fallback_off), and read the
# layout a stream got (sg_layout).
#
# Every allocation of order >= 1 inside snd_dma_alloc_dir_pages fails
# (fail_page_alloc with a stack filter: nothing else is touched), so a
# DEV_SG buffer falls back to single pages.  Single pages handed out one
# after another are often neighbours, which ALSA counts as one chunk.  So
# first interleave the pages of pairs of pipes (unmovable pages, like
# ALSA's) and close one pipe of each pair: its freed pages are isolated,
# and on CPU 0, where the caller must run, they are the next single pages
# handed out.  A process's own start-up (page tables, slab) eats some of
# them first, so isolate 2048 pages.

sg_fallback_on() {
	rm -f /tmp/fragmented
	taskset -c 0 python3 -c '
import fcntl, os, time
pairs = [(os.pipe(), os.pipe()) for _ in range(8)]
for a, b in pairs:
    for fd in (a[1], b[1]):
        fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ: room for 256 pages
    for i in range(256):
        os.write(a[1], bytes(4096))
        os.write(b[1], bytes(4096))
for a, b in pairs:
    os.close(b[0]); os.close(b[1])
open("/tmp/fragmented", "w").close()
time.sleep(300)
' &
	sg_fallback_holder=$!
	for i in $(seq 1000); do [ -e /tmp/fragmented ] && break; sleep 0.1; done
	F=/sys/kernel/debug/fail_page_alloc
	start=$(grep " snd_dma_alloc_dir_pages\$" /proc/kallsyms | cut -d' ' -f1)
	end=$(sort /proc/kallsyms | grep -A1 " snd_dma_alloc_dir_pages\$" | tail -1 | cut -d' ' -f1)
	echo 0x$start >$F/require-start; echo 0x$end >$F/require-end
	echo N >$F/ignore-gfp-wait; echo 1 >$F/min-order; echo -1 >$F/times
	echo N >$F/task-filter; echo 0 >$F/verbose; echo 100 >$F/probability
}

sg_fallback_off() {
	echo 0 >/sys/kernel/debug/fail_page_alloc/probability
	kill $sg_fallback_holder 2>/dev/null
	wait $sg_fallback_holder 2>/dev/null
}

# sg_read DIR: chunks, fell_back and descs of the stream whose debugfs
# folder is DIR (e.g. .../card0/pcm1-playback), read at one moment with
# the shell's own read: a program run from the 9p root waits on the host,
# and under icount the guest's clock runs on meanwhile, so with a busy
# host a stream ended between one sed and the next (fell_back 0,
# descriptors 0, after chunks 256)
sg_read() {
	chunks=0 fell_back=0 descs=0
	while read -r key value; do
		case $key in
		chunks) chunks=$value ;;
		fell_back) fell_back=$value ;;
		esac
	done <"$1/layout"
	while read -r key value; do
		[ "$key" = entries ] && descs=$value
	done <"$1/descriptors"
}
# sg_layout DIR: wait (up to 100 s) until that stream has a buffer, then
# sg_read it
sg_layout() {
	for i in $(seq 1000); do
		sg_read "$1"
		[ "$chunks" -gt 0 ] && break
		sleep 0.1
	done
}
