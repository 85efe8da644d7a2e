#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The soak, in the test machine (tools/soak/run boots it with one AC97
# card per PCM): card K plays and captures its PCM K at once (pcm-soak),
# so all four buffer strategies run side by side for SECONDS of guest
# time, while a schedule seeded by SEED plants faults from outside:
# a slow interrupt handler on a card for a while (inject_irq_delay_us),
# a card unbound and bound again, the driver's module taken out and put
# back (MODULE: the driver built as a module, loaded here; without it
# the built-in driver and no reload), a system suspend and resume,
# ALSA's buffer allocations failing
# (sgscope inject --order) and memory in trouble (--fragment, --lowmem,
# --pressure).  Memory is sampled every SAMPLE
# seconds.  PLANTS (tools/soak/run -p) plants driver defects on purpose,
# for the checks to find: a comma-separated list of KNOB:CARD:VALUE@T,
# VALUE written to /sys/kernel/debug/sgscope/cardCARD/plant_KNOB T seconds
# into the run (docs/driver.md's plant_* knobs).  Outputs, copied to OUT at
# the end: soak-K.jsonl (pcm-soak's events of card K), faults.jsonl (the
# schedule's faults and plants), memory.jsonl, cpu.jsonl, kmemleak.txt.
# MIN_BUFFER: the least buffer of pcm-soak's random shapes, in frames.
# FAULTS off: no faults from outside and no restarts or provoked xruns,
# only the plants (every break is then one).
# GAP: the least time between two faults from outside; the next comes GAP
# to three times GAP seconds after the last.
# usage: guest-soak.sh OUT SECONDS SEED [SAMPLE [PLANTS [MIN_BUFFER [FAULTS [MODULE [GAP]]]]]]
out=$1 seconds=$2 seed=$3 sample=${4:-60} plants=${5:-} min_buffer=${6:-0} faults=${7:-on} module=${8:-}
gap=${9:-20}

# On a distribution's kernel (tools/soak/run -k) the sound core's modules
# the driver needs come first: the chroot below has no modprobe, and a
# reload takes out the driver alone
if [ -n "$module" ] && [ -z "$SOAK_IN_CHROOT" ]; then
	for dep in $(modinfo -F depends "$module" | tr , ' '); do
		modprobe "$dep" || { echo "guest-soak.sh: modprobe $dep failed" >&2; exit 1; }
	done
fi

# With faults, the soak moves into a chroot on tmpfs holding all it runs
# (as tools/tests/guest/suspend.sh does), so that a suspend can be one of
# them: it resets the virtio devices, and 9p does not set its queues up
# again.  The outputs then come back on standard output, each file after
# a line "sgscope-soak-file: NAME LINES" (tools/soak/run writes them
# into OUT), and the script powers the machine off itself.
if [ "$faults" = on ] && [ -z "$SOAK_IN_CHROOT" ]; then
	root=/tmp/soak-root
	mkdir -p $root/bin $root/dev $root/proc $root/sys $root/tmp $root/soak \
		$root/tools/soak $root/build/sgscope
	cp /bin/busybox $root/bin/
	for f in "$out/pcm-soak" "$(command -v amixer)"; do
		for lib in $(ldd "$f" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
			cp --parents -L "$lib" $root/
		done
	done
	cp --parents -L "$(command -v amixer)" $root/
	cp --parents -r /usr/share/alsa $root/
	cp "$out/pcm-soak" $root/soak/
	[ -z "$module" ] || cp "$module" $root/soak/
	cp "$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope" $root/build/sgscope/
	cp "$0" $root/tools/soak/
	mount --bind /dev $root/dev
	mount --bind /proc $root/proc
	mount --rbind /sys $root/sys
	SOAK_IN_CHROOT=1 PATH=/bin:/usr/bin exec chroot $root /bin/busybox sh /tools/soak/guest-soak.sh \
		/soak "$seconds" "$seed" "$sample" "$plants" "$min_buffer" "$faults" \
		"${module:+/soak/$(basename "$module")}" "$gap"
fi
if [ -n "$SOAK_IN_CHROOT" ]; then
	/bin/busybox --install -s /bin
	# no pause in the suspended state (pm_test's default is 5 s): the
	# pause is an mdelay, a busy second that costs the host 6 under icount
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	# 9p's unused dentries (the root's, from before the chroot) freed now,
	# while 9p still answers: freeing one sends a clunk, and after a
	# suspend 9p answers nothing (its virtio queues are not set up
	# again), so the next drop_caches (sgscope inject --fragment 100) or
	# slab reclaim that reached one waited in D for ever, killed or not,
	# and the schedule with it.  Nothing in the chroot looks 9p up again.
	echo 2 >/proc/sys/vm/drop_caches
	# no module autoloading: the kernel runs modprobe from the root
	# filesystem, 9p, and after a suspend that exec waits in D for ever;
	# the task that asked for the module (an ALSA open of a card on its
	# way out can) hangs with it, and every later suspend fails -EAGAIN
	# as the kernel's wait for running helpers times out.  The soak loads
	# the one module it reloads itself.
	echo >/proc/sys/kernel/modprobe
fi
work=/tmp/soak
mkdir -p $work
cp "$out/pcm-soak" $work/
dbg=/sys/kernel/debug/sgscope
# the module probes every card before insmod returns
if [ -n "$module" ]; then
	insmod "$module" || { echo "guest-soak.sh: insmod $module failed" >&2; exit 1; }
fi
sgscope=$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope
cards=$(ls -d /proc/asound/card[0-9]* | wc -l)

# now: t, the guest's uptime in seconds (two decimals), and t_s, whole
# seconds; builtins only, as rnd: the loop below runs for hours, and a
# process forked at each of its wake-ups is guest time taken from the
# streams
now() {
	read -r t _ </proc/uptime
	t_s=${t%.*}
}
# rnd N: r, a number in [0, N) from the seeded sequence (not in a
# subshell: it keeps its state)
rnd_state=$seed
rnd() {
	rnd_state=$(((rnd_state * 1103515245 + 12345) % 2147483648))
	r=$((rnd_state / 65536 % $1))
}
fault() {
	now
	echo "{\"t\":$t,\"fault\":\"$1\",\"card\":$2$3}" >>$work/faults.jsonl
}
# fault_begin, then fault_end KIND CARD [EXTRA]: the line of a fault that
# lasts until its end, with its length ("seconds"): a card gone and back
# captures silence until its mixer is restored, and the report lets a
# break follow the fault the application was told of by that long
# (failed: the step that did not work, if one did not: a fault that
# was not applied is in the report, not taken for one that was)
fault_begin() {
	now
	fault_t=$t
	failed=
}
fault_end() {
	now
	# /proc/uptime has two decimals: centiseconds as integers
	cs=$((${t%.*}${t#*.} - ${fault_t%.*}${fault_t#*.}))
	echo "{\"t\":$fault_t,\"fault\":\"$1\",\"card\":$2$3${failed:+,\"failed\":\"$failed\"},\"seconds\":$((cs / 100)).$((cs % 100 / 10))$((cs % 10))}" \
		>>$work/faults.jsonl
}

# mixer K: card K's codec at full volume, unmuted, capturing: at probe
# the codec comes up muted, after every bind too, where a desktop's udev
# rule runs alsactl restore (a card left muted plays silence, and the
# checks fail on it).  An amixer a control: one reading its commands on
# stdin (-s) ignores a control that is not there yet, and a codec still
# probing must fail here to be tried again.
mixer() {
	amixer -q -c "$1" sset Master 100% unmute && amixer -q -c "$1" sset PCM 100% unmute &&
		amixer -q -c "$1" sset Capture 100% cap
}
for k in $(seq 0 $((cards - 1))); do
	mixer "$k"
done
# kmemleak scans once, at the end (tools/guest-init turns its automatic
# scan off): a leaked object stays unreferenced until then
: >$work/faults.jsonl
# sgscope inject --order fails allocations through fmod_ret on
# should_fail_alloc_page, which needs CONFIG_FUNCTION_ERROR_INJECTION
# (not in Debian's kernels): armed here to fail nothing, and where the
# kernel refuses it, left out of the schedule (its refusal in the report)
order_fault=
if [ "$faults" = on ]; then
	if $sgscope inject --order 1 --probability 0 -d 1 >$work/inject-order.err 2>&1; then
		order_fault=inject_order
		rm $work/inject-order.err
	fi
fi
: >$work/cpu.jsonl
# sgscope xrun beside the streams: each xrun's verdict (interrupt,
# wake-up latency, application, page faults), which the report sets
# beside what the application was told
$sgscope xrun --json >$work/xrun.jsonl 2>$work/xrun.err &
xrun_pid=$!
for i in $(seq 600); do
	grep -q '"start"' $work/xrun.jsonl && break
	kill -0 $xrun_pid 2>/dev/null || break
	sleep 0.1
done
now
start=$t_s
# every card's streams in one pcm-soak: threads of one process switch
# with no flush of QEMU's TLB, processes do
if [ "$faults" = off ]; then own="-r 0 -x 0"; else own=; fi
set --
for k in $(seq 0 $((cards - 1))); do
	set -- "$@" "hw:$k,$k" $((seed * 16 + k)) $work/soak-$k.jsonl
done
$work/pcm-soak -b "$min_buffer" $own "$seconds" "$@" 2>$work/soak.err &
player=$!
running() {
	kill -0 "$player" 2>/dev/null
}
ended() { ! running; }

# cpu: the guest's CPU time so far, in USER_HZ ticks (/proc/stat's first
# line): under icount an idle CPU costs no host time, so the busy share
# is what sets the soak's wall time
cpu() {
	read -r _ user nice system idle iowait irq softirq _ </proc/stat
	procs=
	# /proc/PID/stat: utime and stime are its 14th and 15th fields
	if read -r _ _ _ _ _ _ _ _ _ _ _ _ _ ut st _ 2>/dev/null <"/proc/$player/stat"; then
		procs=",\"pcm_soak\":$((ut + st))"
	fi
	now
	echo "{\"t\":$t,\"user\":$((user + nice)),\"system\":$system,\"irq\":$((irq + softirq)),\"idle\":$((idle + iowait))$procs}" >>$work/cpu.jsonl
}

# memory: the kernel's and the driver's own, every sample seconds, and
# unaccounted_kb: what no counter names, the RAM that is neither free
# (the page allocator's lists and its per-CPU ones, /proc/zoneinfo's
# counts), nor page cache, anonymous, slab, page tables, kernel stacks,
# vmalloc or per-CPU memory, nor pages of the driver's buffers
# (live_buffer_pages), nor the stack depot's pools (16 KiB each: kmemleak
# keeps a stack per allocation, and the depot grows with every new one),
# nor the kernel's page tables of the vmalloc area (kernel_pte_kb, above).
# A page a driver allocates and never frees shows there and nowhere
# else: its trend is the leak check.
# Kernel stacks are vmalloc'ed where the kernel has CONFIG_VMAP_STACK
# (x86-64's default, Debian's too), and VmallocUsed holds them already,
# with the stacks of exited tasks kept in a per-CPU cache: counted in
# KernelStack as well, two kworkers that exit after their idle timeout
# move the sum by 32 kB.  vmallocinfo names the allocation's caller: the
# stack's allocator, or the function of fork it is inlined into.
stacks=1
! grep -Eq ' (alloc_thread_stack_node|dup_task_struct|copy_process|kernel_clone)\+' /proc/vmallocinfo ||
	stacks=0
depot=/sys/kernel/debug/stackdepot/stats
[ -r $depot ] || depot=
# The kernel's own page tables of the vmalloc area: the first mapping in
# a 2 MiB span of it allocates a PTE page (__pte_alloc_kernel) that is
# never freed, and no meminfo or vmstat counter has it (PageTables is
# the processes').  pcm2's buffers are vmalloc'ed at every hw_params, and
# a freed range is handed out again only after a lazy purge, so the
# spans mapped keep growing for hours (5 PTE pages in 100 plays of pcm2
# in a test machine).  A kprobe's hit count names them (kprobe_profile:
# one page a call).
tracefs=/sys/kernel/tracing
ptek=$tracefs/kprobe_profile
{ echo 'p:sgscope_kernel_pte __pte_alloc_kernel' >>$tracefs/kprobe_events &&
	echo 1 >$tracefs/events/kprobes/sgscope_kernel_pte/enable; } 2>/dev/null || ptek=
# The kernel's counters are kept per CPU and folded into the totals that
# /proc reads only when a CPU's share passes a threshold (tens of pages on
# this machine, for each counter): stat_refresh folds them all first, or
# the sum below moves by a hundred kB between samples and hides a slow
# leak
refresh=/proc/sys/vm/stat_refresh
[ -w $refresh ] || refresh=
# memory_sample: the counters three times in a row, in one awk (a
# process costs a fork, an exec and its exit's RCU callbacks, which keep
# the guest's tick running), each time after stat_refresh; the files are
# read one after the other, and a buffer allocated or freed between two
# reads (a stream's restart) makes one reading off by up to its size:
# unaccounted_kb is the median of the three, the other fields the last's
memory_sample() {
	awk -v stacks=$stacks -v refresh="$refresh" '
		function reading(   i, f, line, a, c, pages, named) {
			fields = ""
			driver = pcp = 0
			split("", kb)
			split("", v)
			if (refresh != "") {
				printf "1\n" >refresh
				close(refresh)
			}
			for (i = 1; i < ARGC; i++) {
				f = ARGV[i]
				while ((getline line <f) > 0) {
					split(line, a)
					if (f ~ /counters$/ && a[1] ~ /^(live_|allocations|planted_)/) {
						c = f
						sub("/counters$", "", c)
						sub(".*card", "", c)
						fields = fields sprintf(",\"card%s_%s\":%s", c, a[1], a[2])
						if (a[1] == "live_buffer_pages")
							driver += a[2] * 4
					} else if (f == "/proc/meminfo" &&
						   a[1] ~ /^(MemTotal|MemFree|Slab|VmallocUsed|PageTables|KernelStack|Percpu):$/) {
						sub(":", "", a[1])
						kb[a[1]] = a[2]
						fields = fields sprintf(",\"%s_kb\":%s", a[1], a[2])
					} else if (f == "/proc/vmstat") {
						v[a[1]] = a[2]
					} else if (f == "/proc/zoneinfo" && a[1] == "count:") {
						pcp += a[2]
					} else if (f ~ /stackdepot/ && a[1] == "pools:") {
						kb["depot"] = a[2] * 16
						fields = fields sprintf(",\"depot_kb\":%d", a[2] * 16)
					} else if (f ~ /kprobe_profile$/ && a[1] == "sgscope_kernel_pte") {
						kb["kernel_pte"] = a[2] * 4
						fields = fields sprintf(",\"kernel_pte_kb\":%d", a[2] * 4)
					}
				}
				close(f)
			}
			pages = v["nr_free_pages"] + pcp + v["nr_file_pages"] + v["nr_anon_pages"]
			pages += v["nr_slab_reclaimable"] + v["nr_slab_unreclaimable"]
			pages += v["nr_page_table_pages"] + v["nr_sec_page_table_pages"]
			pages += v["nr_kernel_misc_reclaimable"]
			named = pages * 4 + stacks * v["nr_kernel_stack"] + kb["VmallocUsed"] + kb["Percpu"] + kb["depot"] + driver
			named += kb["kernel_pte"]
			return kb["MemTotal"] - named
		}
		BEGIN {
			u1 = reading()
			u2 = reading()
			u3 = reading()
			if (u1 > u2) { t = u1; u1 = u2; u2 = t }
			if (u2 > u3) u2 = u3
			if (u1 > u2) u2 = u1
			printf "%s,\"unaccounted_kb\":%d", fields, u2
			exit
		}' $dbg/card*/counters /proc/meminfo /proc/vmstat /proc/zoneinfo $depot $ptek
}
# memory closed: the sample after the streams closed, marked: their
# runtimes and the tracer are freed by then, so it is no point of the
# running system's trend
memory() {
	m=$(memory_sample)
	now
	echo "{\"t\":$t${1:+,\"$1\":true}$m}" >>$work/memory.jsonl
}

# the schedule: every GAP to 3 GAP seconds one fault on a card picked at
# random
rnd $((2 * gap))
next=$((start + gap + r))
sampled=$((start - sample))
# pause N: N seconds, with no process forked (a FIFO nobody writes, read
# with a timeout: busybox's sh has read -t, tools/soak/run runs this with
# it): the schedule's loop wakes at every sample and fault, and every 10 s
# at most, for hours
mkfifo $work/pause
exec 3<>$work/pause
pause() { read -r -t "$1" _ <&3; }
# retry TRIES SECONDS COMMAND...: COMMAND until it succeeds, tried again
# TRIES times at most, SECONDS apart; 1 when it never did
retry() {
	tries=$1 every=$2
	shift 2
	until "$@"; do
		[ "$tries" -gt 0 ] || return 1
		pause "$every"
		tries=$((tries - 1))
	done
}

# plant: each of PLANTS whose time has come, once
plant() {
	left=
	for p in $(echo "$plants" | tr , ' '); do
		knob=${p%%:*} rest=${p#*:}
		k=${rest%%:*} rest=${rest#*:}
		value=${rest%@*} at=${rest#*@}
		if [ "$t_s" -ge $((start + at)) ]; then
			fault "plant_$knob" "$k" ",\"value\":$value"
			echo "$value" >$dbg/card$k/plant_$knob
		else
			left="$left${left:+,}$p"
		fi
	done
	plants=$left
}

# reload: the driver's module out and in again, the mixers restored (the
# codecs come back muted, as after a bind)
reload() {
	drv=$(readlink -f /sys/class/sound/card0/device/driver)
	for d in "$drv"/0000:*; do
		[ -e "$d" ] && echo "$(basename "$d")" >"$drv/unbind"
	done
	name=$(basename "$module" .ko | tr - _)
	retry 100 0.1 rmmod "$name" 2>/dev/null || failed=rmmod
	insmod "$module" || failed=${failed:-insmod}
	n=0
	for k in $(seq 0 $((cards - 1))); do
		until mixer "$k" 2>/dev/null; do
			[ $n -lt 150 ] || { failed=${failed:-mixer}; break; }
			pause 0.1
			n=$((n + 1))
		done
	done
}

# the schedule's memory load or allocation failures, while it runs: the
# next fault waits for its end (a load outlasts its 20 s while it fills
# memory, and two at once run the machine into the OOM killer)
# (forgotten once it ended: its pid may be another process's later)
bg=
loading() {
	[ -n "$bg" ] && kill -0 "$bg" 2>/dev/null && return 0
	bg=
	return 1
}

# the player ends on its own at SECONDS, its last drain and reopen
# included, well within PLAYER_GRACE_S; one that does not has a thread
# stuck, and the run must still end and hand its files back
PLAYER_GRACE_S=300
while running && [ "$t_s" -lt $((start + seconds + PLAYER_GRACE_S)) ]; do
	now
	[ -z "$plants" ] || plant
	if [ "$t_s" -ge $((sampled + sample)) ]; then
		memory
		cpu
		sampled=$t_s
	fi
	if [ "$faults" = on ] && [ "$t_s" -ge "$next" ] && [ "$t_s" -lt $((start + seconds - 30)) ] &&
		! loading; then
		rnd "$cards"
		k=$r
		# reload with a module only, suspend in the chroot only
		set -- irq_delay unbind $order_fault memory ${module:+reload} ${SOAK_IN_CHROOT:+suspend}
		rnd $#
		shift $r
		case $1 in
		irq_delay)
			# within what the shortest period (1024 frames, 21 ms) leaves
			# both engines' handlers: late by more than a buffer, an
			# interrupt lets the pointer lap it unseen
			rnd 3
			us=$((2000 + r * 2000))
			fault irq_delay "$k" ",\"us\":$us,\"seconds\":5"
			echo $us >$dbg/card$k/inject_irq_delay_us
			pause 5
			echo 0 >$dbg/card$k/inject_irq_delay_us ;;
		unbind)
			dev=$(basename "$(readlink /sys/class/sound/card$k/device)")
			drv=$(readlink -f /sys/class/sound/card$k/device/driver)
			fault_begin
			echo "$dev" >"$drv/unbind" || failed=unbind
			pause 2
			echo "$dev" >"$drv/bind" || failed=${failed:-bind}
			retry 50 0.1 mixer "$k" 2>/dev/null || failed=${failed:-mixer}
			fault_end unbind "$k" ",\"device\":\"$dev\"" ;;
		inject_order)
			# ALSA's buffer allocations fail half the time from order 1
			# up: the restarts in these 20 s take the SG fallback, or
			# hear -ENOMEM and try again
			fault inject_order -1 ",\"order\":1,\"probability\":50,\"seconds\":20"
			$sgscope inject --order 1 --probability 50 -d 20 >>$work/inject.log 2>&1 &
			bg=$! ;;
		memory)
			# memory in trouble for 20 s: no free block of order 1 or
			# more, or free memory at the watermark, or a cgroup under
			# pressure
			rnd 3
			case $r in
			0) load="--fragment 100" ;;
			1) load="--lowmem 16" ;;
			2) load="--pressure 256" ;;
			esac
			fault memory -1 ",\"load\":\"$load\",\"seconds\":20"
			$sgscope inject $load -d 20 >>$work/inject.log 2>&1 &
			bg=$! ;;
		reload)
			# the module out and back: every card unbound (the
			# applications are told the device is gone and close it,
			# which lets go of the module), rmmod, insmod
			fault_begin
			reload
			fault_end reload -1 ",\"module\":\"$(basename "$module")\"" ;;
		suspend)
			# the machine's devices suspended and resumed (pm_test
			# devices: every driver's PM callbacks, the machine runs
			# on): the applications are told -ESTRPIPE and prepare again
			fault_begin
			echo devices >/sys/power/pm_test
			echo mem >/sys/power/state || failed=suspend
			echo none >/sys/power/pm_test
			fault_end suspend -1 ;;
		esac
		rnd $((2 * gap))
		now
		next=$((t_s + gap + r))
	fi
	# asleep until the next sample or fault is due, a plant's second,
	# or 10 s at most (the player's end is seen that late at worst):
	# every wake-up is guest work, and under icount guest work is the
	# soak's wall time
	due=$((sampled + sample))
	[ "$faults" != on ] || [ "$next" -ge "$due" ] || due=$next
	[ -z "$plants" ] || due=$t_s
	wait_s=$((due - t_s))
	[ "$wait_s" -ge 1 ] || wait_s=1
	[ "$wait_s" -le 10 ] || wait_s=10
	pause "$wait_s"
done
if running; then
	# where each of its threads is stuck, for the report, then killed
	for t in /proc/$player/task/*; do
		echo "== thread $(basename "$t") $(cat "$t/comm" 2>/dev/null)"
		cat "$t/stack" 2>/dev/null
	done >$work/player-stuck.txt
	kill -9 "$player"
	# a thread in D ends with no signal: waited for a while, then left
	retry 30 1 ended || echo "== not ended 30 s after SIGKILL: left behind" >>$work/player-stuck.txt
fi
running || wait "$player"
# the last load, which may have begun 30 s before the end, says it ended
[ -z "$bg" ] || wait "$bg"
kill -INT $xrun_pid
wait $xrun_pid
memory closed
cpu
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >$work/kmemleak.txt
fi
now
echo "# soak: $((t_s - start)) s of guest time, $cards cards"
if [ -z "$SOAK_IN_CHROOT" ]; then
	cp $work/*.jsonl $work/*.err $work/*.txt $work/inject.log "$out/" 2>/dev/null
	[ -e $work/kmemleak.txt ] && cp $work/kmemleak.txt "$out/"
	exit 0
fi
for f in $work/*.jsonl $work/*.err $work/inject.log $work/*.txt; do
	[ -e "$f" ] || continue
	n=$(wc -l <"$f")
	# a last line without its newline gets one
	[ -z "$(tail -c 1 "$f")" ] || n=$((n + 1))
	echo "sgscope-soak-file: $(basename "$f") $n"
	cat "$f"
	[ -z "$(tail -c 1 "$f")" ] || echo
done
echo "sgscope-vm-status: 0"
sleep 1
poweroff -f
