#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: sgscope xrun against planted causes.  Each cause
# runs alone, under a tracer that serves the runs before and after it,
# with pcm-player counting the -EPIPE returns it sees: the counts must
# agree, the verdict must name the cause planted for at least 95% of the
# xruns, and no xrun's causes are looked for before its player opened
# the device.
# On a kernel whose sound core is modules (Debian's), the folder holds
# snd-sgscope.ko built for it, and jackd2, a real client that counts its
# own xruns, runs starved as well: it needs System V IPC, which the test
# kernel is built without.
# $1: folder with pcm-player and cpu-work (and snd-sgscope.ko); the
# outputs are copied there at the end
#
# The player, the tracer and their output live in tmpfs while they run: a
# read or write over 9p waits on the host, and guest time runs on while
# it does, by as much as the host takes (icount skips idle time), so a
# cause planted behind one would not land at the same point twice.
share=$1
here=$(dirname "$0")
. "$here/lib.sh"
dir=/tmp/xrun
mkdir -p "$dir"
cp "$share/pcm-player" "$share/cpu-work" "$(cd "$here/../../.." && pwd)/build/sgscope/sgscope" "$dir/"
S=$dir/sgscope
player="$dir/pcm-player"
start_checks
stock=
if [ -e "$share/snd-sgscope.ko" ]; then
	stock=1
	modprobe snd-pcm && modprobe snd-ac97-codec && insmod "$share/snd-sgscope.ko"
	check $? "xrun: the sound core's modules and snd-sgscope load"
	compat_kernel=$(kernel_label "Debian's" "sound core as modules")
else
	compat_kernel=$(kernel_label "test kernel" "sound core built in")
fi
sgscope_card

# One tracer serves the planted runs of a card and attach mode: its start
# is most of a run's cost (ftrace rewrites its records for each program it
# attaches), and clients coming and going under a tracer that outlives
# them is how it is used.
# tracing GROUP: start it (on card $xcard, attached as $xattach, by
# default auto), its output $dir/GROUP.out; untraced: stop it
tracing() {
	group=$1 marks=0
	traced "$group" xrun -c "${xcard:-sgscope}" --attach "${xattach:-auto}" --json \
		--trace "$dir/$group.trace.json"
	check $? "xrun: the tracer starts ($group, attached ${xattach:-auto})"
}
untraced() { stopped "$group"; }
# marked: the group's tracer has written $marks marks
marked() { [ "$(grep -c '"report":"mark"' "$dir/$group.out")" -ge "$marks" ]; }
# planted NAME VERDICT PLAYER-ARGS...: the player under the group's
# tracer; then a mark (SIGUSR1), and the tracer's lines since the one
# before, after its start line, are the run's: $dir/NAME.out
planted() {
	name=$1 want=$2
	shift 2
	"$@" >"$dir/$name.player"
	marks=$((marks + 1))
	eval "kill -USR1 \$pid_$group"
	for _ in $(seq 300); do
		marked && break
		sleep 0.1
	done
	marked || echo "# xrun: no mark from the $group tracer after $name"
	{
		grep -m1 '"report":"start"' "$dir/$group.out"
		awk -v m=$marks '/"report":"mark"/ { n++; next } n == m - 1 && !/"report":"start"/' \
			"$dir/$group.out"
	} >"$dir/$name.out"
}
# holders NAME: the tasks the tracer named as holding the client's CPU
holders() { jq -r 'select(.report=="xrun") | .cpu_holder.comm' "$dir/$1.out" | sort -u; }
# xruns_of NAME: the xruns the player counted
xruns_of() { sed -n 's/^xruns //p' "$dir/$1.player"; }
# agreeing VERDICT HOLDER: jq's test of an xrun that names the cause:
# VERDICT, or with HOLDER, wake-up latency while HOLDER had the CPU
agreeing='.verdict == $v or ($h != "" and .verdict == "wake-up latency" and .cpu_holder.comm == $h)'
# verdicts NAME VERDICT [HOLDER]: "all agreeing total" from the tracer's lines
verdicts() {
	jq -rs --arg v "$2" --arg h "$3" "[.[] | select(.report==\"xrun\")] |
		\"\\(length) \\([.[] | select($agreeing)] | length)\"" "$dir/$1.out"
}
# judged NAME VERDICT [HOLDER]: the count and verdict checks of one
# planted run; where a verdict misses, its xruns' split shows why
judged() {
	seen=$(xruns_of "$1") holder=${3:-}
	set -- "$1" "$2" $(verdicts "$1" "$2" "$holder")
	[ "${seen:-0}" -gt 0 ] && [ "$3" = "$seen" ]
	check $? "xrun: every xrun the player saw is reported ($1: player $seen, sgscope $3)"
	[ "${3:-0}" -gt 0 ] && [ $(($4 * 100)) -ge $(($3 * 95)) ]
	check $? "xrun: at least 95% of the verdicts name the cause ($1: $4 of $3 '$2'${holder:+, or the CPU held by $holder})" \
		"$(jq -rc --arg v "$2" --arg h "$holder" "select(.report==\"xrun\") | select($agreeing | not) |
			\"\\(.verdict) (CPU held by \\(.cpu_holder.comm // \"nobody\")): \\(.parts_ns), waiting \\(.waiting_ns) of \\(.window_ns), client seen \\(.client_seen), handler \\(.irq_handler_ns)\"" "$dir/$1.out")"
	# pcm-player says when it opened the device; jackd does not
	grep -q '^frames ' "$dir/$1.player" || return 0
	opened=$(sed -n 's/^opened_ns //p' "$dir/$1.player")
	n=$(jq -s --argjson o "${opened:-null}" \
		'[.[] | select(.report=="xrun" and ($o == null or .context_start_ns < $o))] | length' "$dir/$1.out")
	[ "${3:-0}" -gt 0 ] && [ "$n" = 0 ]
	check $? "xrun: no xrun's causes are looked for before the player opened the device ($1: ${n:-none} are, opened at ${opened:-?} ns)"
}

compat_begin
tracing sgscope
# a slow application: it sleeps 120 ms every 4 periods of a 85 ms buffer
planted slow_rw application "$player" hw:sgscope,1 -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged slow_rw application
planted slow_mmap application "$player" hw:sgscope,2 -m -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged slow_mmap application
# it works instead of sleeping: still its own time
planted busy_rw application "$player" hw:sgscope,1 -b 4096 -p 1024 -t 1000 -e 4 -s 120 -S
judged busy_rw application
planted unwoken_rw "not woken" "$player" hw:sgscope,0 -b 4096 -p 1024 -a 4096 -t 1000
judged unwoken_rw "not woken"

# a long window: the player fills a buffer of 64 periods of 5 ms and
# sleeps 400 ms, past its end; the tracer's ring holds the window's two
# events a period whole, from the player's last write
planted long_window application "$player" hw:sgscope,1 -b 16384 -p 256 -t 3000 -e 64 -s 400
judged long_window application
n=$(jq -s '[.[] | select(.report=="xrun" and .client_seen)] | length' "$dir/long_window.out")
[ "${n:-0}" -gt 0 ] && [ "$n" = "$(xruns_of long_window)" ]
check $? "xrun: a window of 64 periods is seen whole, from the client's last write ($n of $(xruns_of long_window))"

# a starved application: every 16 periods a SCHED_FIFO thread on the
# player's CPU spins 120 ms, longer than the 85 ms buffer
planted starved_rw "wake-up latency" "$player" hw:sgscope,1 -b 4096 -p 1024 -t 2000 -e 16 -s 120 -H
judged starved_rw "wake-up latency"
planted starved_mmap "wake-up latency" "$player" hw:sgscope,2 -m -b 4096 -p 1024 -t 2000 -e 16 -s 120 -H
judged starved_mmap "wake-up latency"
for name in starved_rw starved_mmap; do
	expect "xrun: the busy thread that held the player's CPU is named ($name)" "pcm-hog" "$(holders "$name")"
done

# jackd2 starved: a SCHED_FIFO task above its threads' priority (10) and
# below the kernel's handler threads (50: on PREEMPT_RT it would starve
# the period interrupt's thread too) spins 100 ms every 400 ms on its CPU,
# five times, against its 64 ms buffer; jackd counts each xrun it recovers
# from (-v: "xrun of at least").  Three periods: with two (43 ms), a
# period interrupt QEMU's 10 ms audio timer held back 11 to 19 ms could
# outweigh the starved wake-up in the xrun's short window (one xrun in
# five on 6.12-rt, now and then)
jackd_starved() {
	JACK_NO_AUDIO_RESERVATION=1 taskset -c 0 jackd -v -d alsa -d hw:sgscope,1 -P \
		-p 1024 -n 3 -r 48000 >"$dir/jackd.log" 2>&1 &
	jackd=$!
	for _ in $(seq 300); do
		grep -qs 'state: RUNNING' "/proc/asound/card$card/pcm1p/sub0/status" && break
		sleep 0.1
	done
	taskset -c 0 "$dir/cpu-work" hog 45 100 400 5
	kill "$jackd"
	wait "$jackd"
	echo "xruns $(grep -c 'xrun of at least' "$dir/jackd.log")"
}
if [ -n "$stock" ]; then
	planted jackd_starved "wake-up latency" jackd_starved
	judged jackd_starved "wake-up latency"
	expect "xrun: the busy task that held jackd's CPU is named" "cpu-work" "$(holders jackd_starved)"
fi

# a slow interrupt: the driver's handler spins 15 ms before it reports the
# period, and the player keeps 20 ms of buffer
delay=15000
slow_irq() {
	echo $delay >"$debugfs/inject_irq_delay_us"
	"$player" "$@"
	echo 0 >"$debugfs/inject_irq_delay_us"
}
planted irq_rw interrupt slow_irq hw:sgscope,1 -b 960 -p 240 -t 1000
judged irq_rw interrupt
planted irq_mmap interrupt slow_irq hw:sgscope,2 -m -b 960 -p 240 -t 1000
judged irq_mmap interrupt
# the handler's own time before period elapsed, measured: the planted
# delay (on PREEMPT_RT, without its thread's wake-up, which includes the
# wait for the thread still spinning in the handler before)
for name in irq_rw irq_mmap; do
	ns=$(jq -s '[.[] | select(.report=="xrun") | .irq_handler_ns - .irq_thread_ns] | sort |
		.[length / 2 | floor]' "$dir/$name.out")
	[ "${ns:-null}" != null ] && [ $((ns / 1000 * 10)) -ge $((delay * 9)) ] &&
		[ $((ns / 1000 * 10)) -le $((delay * 11)) ]
	check $? "xrun: the slow handler is measured within 10% of the planted delay ($name: median $ns ns, planted $delay us)"
done
# on PREEMPT_RT the handler runs in a thread the hard interrupt wakes: its
# time runs from the hard interrupt, the thread's wake-up a part of it
if [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]; then
	for name in irq_rw irq_mmap; do
		n=$(jq -s '[.[] | select(.report=="xrun" and .irq_thread_ns > 0)] | length' "$dir/$name.out")
		all=$(jq -s '[.[] | select(.report=="xrun")] | length' "$dir/$name.out")
		[ "${n:-0}" -gt 0 ] && [ "$n" = "$all" ]
		check $? "xrun: PREEMPT_RT: every xrun has its handler thread's wake-up ($name: $n of $all)"
	done
	# the slow handler again, its thread and the card's interrupt on CPU 0,
	# the player on the last; five times a SCHED_FIFO task above the
	# handler threads (50) takes CPU 0 for 30 ms, 2 ms after an interrupt:
	# the handler's time has the 30 ms apart, as its thread's time off the
	# CPU (or as its wake-up, where the thread had not started yet)
	preempted=30
	preempted_irq() {
		irq=$(awk '/sgscope/ { sub(":", "", $1); print $1; exit }' /proc/interrupts)
		echo 1 >"/proc/irq/$irq/smp_affinity"
		echo $delay >"$debugfs/inject_irq_delay_us"
		taskset -c 0 "$dir/cpu-work" preempt sgscope 60 $preempted 5 &
		hog=$!
		taskset -c $(($(nproc) - 1)) "$player" "$@"
		wait $hog
		echo 0 >"$debugfs/inject_irq_delay_us"
	}
	planted irq_preempted interrupt preempted_irq hw:sgscope,1 -b 960 -p 240 -t 1200
	judged irq_preempted interrupt
	n=$(jq -s --argjson ms $preempted '[.[] | select(.report=="xrun" and
		.irq_thread_off_ns >= $ms * 900000 and .irq_thread_off_ns <= $ms * 1300000) |
		.irq_handler_ns] | unique | length' "$dir/irq_preempted.out")
	[ "${n:-0}" -ge 2 ]
	check $? "xrun: PREEMPT_RT: a handler thread preempted for $preempted ms has that time off its CPU ($n of 5 preemptions in an xrun's longest handler)"
fi

# a late interrupt: every 200 ms a task on the CPU that takes the card's
# interrupt holds that CPU's interrupts off for 20 ms (debugfs
# inject_irqs_off_us, another driver's long irqs-off section), ten times,
# while the player on the last CPU (the same one on a machine of one)
# keeps two 10 ms periods.  (Late by a buffer or more, the hardware
# pointer wraps unseen: no xrun to count.)
irqs_off=20000 late_period_us=10000
late_irq() {
	irq=$(awk '/sgscope/ { sub(":", "", $1); print $1; exit }' /proc/interrupts)
	echo 1 >"/proc/irq/$irq/smp_affinity"
	taskset -c 0 "$dir/cpu-work" irqsoff "$debugfs/inject_irqs_off_us" $irqs_off 200 10 &
	hog=$!
	taskset -c $(($(nproc) - 1)) "$@"
	wait $hog
}
# On a machine of one CPU the task that holds interrupts off holds the
# player's CPU too: a player its period's interrupt had woken just before
# waits for that CPU instead, and the verdict is the wake-up's, held by
# that task
one_cpu_holder=
[ "$(nproc)" -gt 1 ] || one_cpu_holder=cpu-work
planted late_rw interrupt late_irq "$player" hw:sgscope,1 -b 960 -p 480 -t 2500
judged late_rw interrupt $one_cpu_holder
planted late_mmap interrupt late_irq "$player" hw:sgscope,2 -m -b 960 -p 480 -t 2500
judged late_mmap interrupt $one_cpu_holder
# the lateness: interrupts went off at most a period before the one due,
# and QEMU's audio timer (10 ms) may hold a raised interrupt back that much
# more; on the handler's CPU the late interrupt interrupted the task that
# held them off (on PREEMPT_RT the handler's thread runs it: no name)
for name in late_rw late_mmap; do
	ns=$(jq -s '[.[] | select(.report=="xrun") | .irq_late_ns] | sort | .[length / 2 | floor]' \
		"$dir/$name.out")
	[ "${ns:-null}" != null ] && [ $((ns / 1000)) -ge $((irqs_off - late_period_us)) ] &&
		[ $((ns / 1000)) -le $((irqs_off + 10000)) ]
	check $? "xrun: the late interrupt is measured ($name: median $ns ns, interrupts off $irqs_off us)"
	[ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ] && continue
	expect "xrun: the task that held interrupts off is named ($name)" "cpu-work" \
		"$(jq -r 'select(.report=="xrun") | .irq_late_interrupted.comm' "$dir/$name.out" | sort -u)"
done

# a page-fault stall: every 6 periods the player drops pcm2's mapping, and
# each of the next write's two pages faults back in through a .page that
# busy-waits 30 ms (debugfs page_delay_ns) against 43 ms of buffer
page_delay=30000000
slow_faults() {
	echo $page_delay >"$debugfs/page_delay_ns"
	"$player" "$@"
	echo 0 >"$debugfs/page_delay_ns"
}
planted faults_mmap "page faults" slow_faults hw:sgscope,2 -m -b 4096 -p 2048 -t 3000 -e 6 -D
judged faults_mmap "page faults"

dev=$(basename "$(readlink "/sys/class/sound/card$card/device")")
# the device unbound and bound again, more times than a stream's name has
# slots in the tracer (STREAM_PROBES), under one tracer: each new
# substream takes over the slot its gone namesake held
rebound() {
	for _ in $(seq 12); do
		echo "$dev" >/sys/bus/pci/drivers/snd_sgscope/unbind &&
			echo "$dev" >/sys/bus/pci/drivers/snd_sgscope/bind &&
			"$player" hw:sgscope,1 -b 4096 -p 1024 -t 50 >/dev/null ||
			echo "# xrun: a rebind or its play failed"
	done
	"$player" "$@"
}
planted rebound application rebound hw:sgscope,1 -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged rebound application

untraced

# the same on snd-dummy, a mainline driver whose periods come from an
# hrtimer, not an interrupt handler
modprobe snd-dummy
check $? "xrun: snd-dummy loads"
xcard=Dummy
tracing dummy
planted dummy_rw application "$player" hw:Dummy,0 -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged dummy_rw application
# a client that asks to be woken late: its avail_min is the whole
# buffer, so no period wakes it from its wait (alsa-lib's poll, in
# read/write and mmap alike) and the buffer runs dry under it
planted dummy_unwoken_mmap "not woken" "$player" hw:Dummy,0 -m -b 4096 -p 1024 -a 4096 -t 1000
judged dummy_unwoken_mmap "not woken"
untraced
xcard=
rmmod snd-dummy

# the same two causes with kprobes, kretprobes and raw tracepoints: the
# programs a kernel without fentry gets (a fault stall has no kprobe of
# its own: the page fault probe is the same function)
xattach=kprobe
tracing kprobe
planted starved_kprobe "wake-up latency" "$player" hw:sgscope,1 -b 4096 -p 1024 -t 2000 -e 16 -s 120 -H
judged starved_kprobe "wake-up latency"
expect "xrun: the busy thread that held the player's CPU is named (starved_kprobe)" "pcm-hog" \
	"$(holders starved_kprobe)"
planted irq_kprobe interrupt slow_irq hw:sgscope,2 -m -b 960 -p 240 -t 1000
judged irq_kprobe interrupt
compat_row xrun kprobe "$dir/irq_kprobe.out"
untraced
xattach=

# no cause: a minute of clean playback, and the headroom it had, under a
# tracer of its own: its total line (at its stop) counts this run alone
traced clean xrun -c sgscope --json
check $? "xrun: the tracer starts (clean)"
"$player" hw:sgscope,1 -b 4096 -p 1024 -t 60000 >"$dir/clean.player"
stopped clean
expect "xrun: a clean minute has no xrun (player, sgscope)" "0 0" \
	"$(xruns_of clean) $(jq -rs '[.[] | select(.report=="xrun")] | length' "$dir/clean.out")"
n=$(jq -r 'select(.report=="total" and .pcm==1) | .headroom.count' "$dir/clean.out")
[ "${n:-0}" -gt 2000 ]
check $? "xrun: the clean minute's headroom histogram has every write (${n:-none})"
compat_row xrun auto "$dir/clean.out"

# the trace file: trace-event JSON with the xrun and the client's parts
jq -e '.traceEvents | map(select(.name=="xrun: application")) | length > 0' \
	"$dir/sgscope.trace.json" >/dev/null
check $? "xrun: --trace writes trace-event JSON with each xrun's verdict"
jq -e '.traceEvents | map(select(.ph=="X" and .name=="application")) | length > 0' \
	"$dir/sgscope.trace.json" >/dev/null
check $? "xrun: --trace has the client's stretches named by their part"

# snd-intel8x0, the mainline driver of the same AC97 device, takes it
# over: a slow and a starved player there
to_intel8x0 "$dev"
check $? "xrun: snd-intel8x0 takes the device"
xcard=$intel_card
tracing intel8x0
planted intel8x0_slow application "$player" hw:$intel_card,0 -b 4096 -p 1024 -t 1000 -e 4 -s 120
judged intel8x0_slow application
planted intel8x0_starved "wake-up latency" "$player" hw:$intel_card,0 -b 4096 -p 1024 -t 2000 -e 16 -s 120 -H
judged intel8x0_starved "wake-up latency"
untraced
xcard=
back_to_sgscope "$dev"
check $? "xrun: snd-sgscope takes the device back"

cp "$dir"/*.out "$dir"/*.player "$dir"/*.trace.json "$dir"/*.log "$dir/compat.tsv" "$share/" 2>/dev/null
finish
