#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: the sgscope CLI against real workloads.
# $1: plain, swiotlb or iommu (how the machine was booted)
# $2: folder with pcm-touch, writable for the tools' output
# $3: the kernel build folder (its vmlinux stands in for missing BTF)
mode=$1 dir=$2 kbuild=$3
here=$(dirname "$0")
S=$(cd "$here/../../.." && pwd)/build/sgscope/sgscope
. "$here/lib.sh"
# plain: the CLI's exits, pagelat, allocs, its split, dmamap, kprobe
# attach, peers, inject --cost, errors, fragmentation; swiotlb and iommu:
# the device's DMA mode and its bounces
start_checks
sgscope_card
dev=$(basename "$(readlink /sys/class/sound/card$card/device)")
compat_kernel=$(kernel_label "test kernel" "sound core built in")

if [ "$mode" = plain ]; then
	# -- pagelat, allocs and dmamap, text and JSON, over one workload
	traced pl_text pagelat -c sgscope
	traced pl_json pagelat -c sgscope --json
	traced al_json allocs --json
	traced al_text allocs
	traced dm_json dmamap -c sgscope --json
	touch_pcm hw:sgscope,2 65536	# 64 pages through sgscope's .page
	touch_pcm hw:sgscope,1 65536	# contiguous: mapped up front
	touch_pcm hw:sgscope,3 65536
	pcm2_chunks=$(held_chunks 2 65536 1)
	. "$here/sg-fallback.sh"
	sg_fallback_on
	touch_pcm hw:sgscope,1 65536 1 3 &
	pcm1_chunks=$(chunks_of 1)
	wait $!
	sg_fallback_off
	# preallocation happens at probe: bind the driver again
	drv=/sys/bus/pci/drivers/snd_sgscope
	echo "$dev" >$drv/unbind && echo "$dev" >$drv/bind
	sleep 1
	for t in pl_text pl_json al_json al_text dm_json; do
		stopped $t
		check $? "cli: the tracer exits 0 at Ctrl-C ($t)"
	done
	echo "# pcm1 chunks (debugfs) $pcm1_chunks, pcm2 chunks $pcm2_chunks"

	compat_begin
	P="$dir/pl_json.out"
	jq -e . "$P" >/dev/null
	check $? "pagelat: --json output parses"
	total='select(.report=="total")'
	expect "pagelat: pcm2 playback faults counted" 128 \
		"$(jqs "$P" "$total | select(.pcm==2 and .stream==\"playback\") | .count")"
	expect "pagelat: pcm1 (sg fallback) faults counted" 64 \
		"$(jqs "$P" "$total | select(.pcm==1 and .stream==\"playback\") | .count")"
	expect "pagelat: an idle pcm (3) has none" "" \
		"$(jqs "$P" "$total | select(.pcm==3) | .count")"
	expect "pagelat: capture streams have none" "" \
		"$(jqs "$P" "$total | select(.stream==\"capture\") | .count")"
	expect "pagelat: pcm2's page op is the driver's" sgscope_pcm_vmalloc_page \
		"$(jqs "$P" "$total | select(.pcm==2) | .page_op")"
	text=$(awk -v want="card $card pcm 2 playback" '/^=== pagelat total/ { t = 1 } t && index($0, want) == 1 { getline; print $2 }' "$dir/pl_text.out")
	expect "pagelat: the text output counts the same for pcm2" 128 "$text"
	text=$(awk -v want="card $card pcm 1 playback" '/^=== pagelat total/ { t = 1 } t && index($0, want) == 1 { getline; print $2 }' "$dir/pl_text.out")
	expect "pagelat: the text output counts the same for pcm1" 64 "$text"
	expect "pagelat: auto attach picked fentry" fentry \
		"$(jqs "$P" 'select(.report=="start") | .probes[0].attach')"
	p50=$(jqs "$P" "$total | select(.pcm==2) | (.p50_ns > 0 and .p50_ns <= .p99_ns and .p99_ns <= .max_ns)")
	expect "pagelat: percentiles are ordered" true "$p50"
	# the .page op itself, timed inside each of those faults
	expect "pagelat: pcm2's .page op timed in each fault" "sgscope_pcm_vmalloc_page 128 fentry" \
		"$(jqs "$P" "$total | select(.pcm==2 and .stream==\"playback\") | \"\(.op.function) \(.op.count) \(.op.attach)\"")"
	expect "pagelat: pcm1's .page op (the SG fallback's) timed in each fault" "sgscope_pcm_sg_page 64 fentry" \
		"$(jqs "$P" "$total | select(.pcm==1 and .stream==\"playback\") | \"\(.op.function) \(.op.count) \(.op.attach)\"")"
	expect "pagelat: the op's histogram is there, inside the fault's" "true true" \
		"$(jqs "$P" "$total | select(.pcm==2 and .stream==\"playback\") | (.op.log2 | length > 0), (.op.max_ns < .max_ns)")"
	grep -q '^\.page op sgscope_pcm_vmalloc_page (fentry): count 128 ' "$dir/pl_text.out"
	check $? "pagelat: the text output times the op too"
	# pcm2 premapped: the same buffer mapped whole at mmap time, no fault
	vpage=$debugfs/vmalloc_page
	echo premapped >$vpage
	traced pl_pre pagelat -c sgscope --json
	touched=$("$dir/pcm-touch" hw:sgscope,2 65536 2 | sed -n 's/^pages //p')
	stopped pl_pre
	echo lookup >$vpage
	faults=$(jqs "$dir/pl_pre.out" 'select(.report=="total") | .count')
	expect "pagelat: pcm2 premapped: 64 pages written through the mapping, twice, and not one fault" \
		"64 attached none" \
		"$touched $(grep -q '"start"' "$dir/pl_pre.out" && echo attached) ${faults:-none}"
	# --no-op: the faults only, no probes on the op
	traced pl_noop pagelat -c sgscope --json --no-op
	touch_pcm hw:sgscope,2 16384 1
	stopped pl_noop
	expect "pagelat --no-op: pcm2's 16 faults, no op timed" "16 null" \
		"$(jqs "$dir/pl_noop.out" 'select(.report=="total" and .pcm==2) | "\(.count) \(.op)"')"
	"$S" allocs --no-op >/dev/null 2>&1
	expect "pagelat --no-op: an option of pagelat's only (allocs exits 2)" 2 $?

	compat_row pagelat auto "$P"
	compat_begin
	A="$dir/al_json.out"
	jq -e . "$A" >/dev/null
	check $? "allocs: --json output parses"
	ev="select(.report==\"event\" and .card==$card and .stream==\"playback\")"
	expect "allocs: pcm1 hw_params: contiguous, then the SG fallback" "contiguous sg-fallback" \
		"$(jqs "$A" "$ev | select(.pcm==1) | .result")"
	expect "allocs: the fallback's chunk count is the driver's" "$pcm1_chunks" \
		"$(jqs "$A" "$ev | select(.pcm==1 and .result==\"sg-fallback\") | .chunks")"
	expect "allocs: the fallback is made of single pages" 64 \
		"$(jqs "$A" "$ev | select(.pcm==1 and .result==\"sg-fallback\") | .orders[\"0\"]")"
	expect "allocs: pcm2 is vmalloc" "vmalloc vmalloc" \
		"$(jqs "$A" "$ev | select(.pcm==2) | .result")"
	expect "allocs: pcm3 is noncontig" noncontig \
		"$(jqs "$A" "$ev | select(.pcm==3) | .result")"
	expect "allocs: pcm0 is preallocated at probe, 1 MiB dev" "prealloc dev 1048576" \
		"$(jqs "$A" "$ev | select(.pcm==0) | \"\(.caller) \(.type) \(.bytes)\"")"
	expect "allocs: hw_params events name the caller" "hw_params" \
		"$(jqs "$A" "$ev | select(.pcm==3) | .caller")"
	n_json=$(jqs "$A" 'select(.report=="total") | .allocations' | tr ' ' '+')
	n_text=$(awk '/^=== allocs total/ { t = 1; getline; next } t && NF > 5 { print $5 }' "$dir/al_text.out" | paste -sd+)
	expect "allocs: the text summary counts the same allocations" "$(echo "$n_json" | bc)" "$(echo "$n_text" | bc)"

	# the split of each allocation's time into parts
	n=$(jqs "$A" 'select(.report=="event" and .parts) | 1' | wc -w)
	exact=$(jqs "$A" 'select(.report=="event" and .parts and ([.parts[].ns] | add) == .duration_ns) | 1' | wc -w)
	[ "$n" -ge 6 ] && [ "$exact" = "$n" ]
	check $? "allocs split: every event's parts add up to its duration ($exact of $n)"
	yes='if . then "yes" else "no" end'
	expect "allocs split: pcm2's vmalloc: 64 order-0 pages or more, a vmap area, its mapping, kmemleak" \
		"yes yes yes yes" "$(jqs "$A" "$ev | select(.pcm==2) | \"\(.page_orders[\"0\"].calls >= 64 | $yes) \(.parts[\"vmap-area\"].ns > 0 | $yes) \(.parts[\"vmap-map\"].ns > 0 | $yes) \(.parts.kmemleak.ns > 0 | $yes)\"" | cut -d' ' -f1-4)"
	expect "allocs split: pcm1's contiguous try is one order-6 page allocation inside dma_alloc_attrs" \
		"1 yes" "$(jqs "$A" "$ev | select(.pcm==1 and .result==\"contiguous\") | \"\(.page_orders[\"6\"].calls) \(.parts[\"dma-alloc\"].ns > 0 | $yes)\"" | cut -d' ' -f1-2)"
	expect "allocs split: pcm1's SG fallback: the failed orders 6..1 tried, 64 order-0 pages, its sg table mapped inside" \
		"yes yes yes" "$(jqs "$A" "$ev | select(.pcm==1 and .result==\"sg-fallback\") | \"\(.page_orders[\"6\"].calls >= 1 and .page_orders[\"1\"].calls >= 1 | $yes) \(.page_orders[\"0\"].calls >= 64 | $yes) \(.parts[\"dma-map\"].ns > 0 | $yes)\"")"
	expect "allocs split: pcm3's noncontig buffer is allocated and zeroed in dma_alloc_noncontiguous" \
		"yes" "$(jqs "$A" "$ev | select(.pcm==3) | .parts[\"dma-alloc\"].ns > 0 | $yes")"
	grep -q '^     split us: .*other' "$dir/al_text.out"
	check $? "allocs split: the text output has a split line per allocation"

	compat_row allocs auto "$A"
	compat_begin
	D="$dir/dm_json.out"
	jq -e . "$D" >/dev/null
	check $? "dmamap: --json output parses"
	# pcm2 twice (the second held while debugfs was read), then pcm1's fallback
	maps=$(jqs "$D" 'select(.report=="map" and .call=="dma_map_sgtable" and .comm=="pcm-touch") | .nents')
	expect "dmamap: one dma_map_sgtable per SG hw_params" 3 "$(echo $maps | wc -w)"
	expect "dmamap: its entry count is the driver's chunk count" "$pcm2_chunks" \
		"$(echo $maps | cut -d' ' -f2)"
	expect "dmamap: the device's mode is direct" direct \
		"$(jqs "$D" "select(.report==\"total\" and .device==\"$dev\") | .mode")"
	n=$(jqs "$D" "select(.report==\"total\") | .calls.dma_alloc_noncontiguous.count")
	[ "${n:-0}" -ge 1 ]
	check $? "dmamap: pcm3's dma_alloc_noncontiguous is timed ($n)"

	compat_row dmamap auto "$D"

	# -- the three with kprobes, as a kernel without BTF for fentry gets
	traced al_k allocs --json --attach kprobe
	traced pl_k pagelat -c sgscope --json --attach kprobe
	traced dm_k dmamap -c sgscope --json --attach kprobe
	touch_pcm hw:sgscope,1 16384 2
	touch_pcm hw:sgscope,3 16384 2
	k_chunks=$(held_chunks 2 16384 2)
	for t in al_k pl_k dm_k; do
		stopped $t
		check $? "kprobe: the tracer exits 0 at Ctrl-C ($t)"
	done
	A="$dir/al_k.out" P="$dir/pl_k.out" D="$dir/dm_k.out"
	ev="select(.report==\"event\" and .card==$card and .stream==\"playback\")"
	compat_begin
	expect "kprobe: allocs: pcm1 dev-sg contiguous, pcm3 noncontig, pcm2 vmalloc" \
		"1:dev-sg:contiguous 3:noncontig:noncontig 2:vmalloc:vmalloc" \
		"$(jqs "$A" "$ev | \"\(.pcm):\(.requested_type):\(.result)\"")"
	compat_row allocs kprobe "$A"
	compat_begin
	expect "kprobe: pagelat: pcm2's faults only" "2:32:sgscope_pcm_vmalloc_page" \
		"$(jqs "$P" 'select(.report=="total") | "\(.pcm):\(.count):\(.page_op)"')"
	expect "kprobe: pagelat: pcm2's .page op timed in each fault" "sgscope_pcm_vmalloc_page 32 kprobe" \
		"$(jqs "$P" 'select(.report=="total") | "\(.op.function) \(.op.count) \(.op.attach)"')"
	compat_row pagelat kprobe "$P"
	compat_begin
	expect "kprobe: dmamap: one dma_map_sgtable, entries = the driver's chunks" "$k_chunks" \
		"$(jqs "$D" 'select(.report=="map" and .call=="dma_map_sgtable" and .comm=="pcm-touch") | .nents')"
	compat_row dmamap kprobe "$D"

	# -- the same tools on the peers: snd-dummy and snd-intel8x0
	modprobe snd-dummy fake_buffer=0
	traced peer_al allocs -c Dummy --json
	touch_pcm hw:Dummy,0 16384
	stopped peer_al
	expect "peers: allocs sees snd-dummy's managed buffer at hw_params" "hw_params continuous 65536" \
		"$(jqs "$dir/peer_al.out" 'select(.report=="event") | "\(.caller) \(.type) \(.bytes)"')"
	modprobe -r snd-dummy && modprobe snd-dummy
	traced peer_pl pagelat -c Dummy --json
	touch_pcm hw:Dummy,0 16384
	stopped peer_pl
	expect "peers: pagelat counts snd-dummy's .page faults, and times its op in each" \
		"16 dummy_pcm_page 16 fentry" \
		"$(jqs "$dir/peer_pl.out" 'select(.report=="total") | "\(.count) \(.page_op) \(.op.count) \(.op.attach)"')"
	modprobe -r snd-dummy
	traced peer_al8 allocs --json
	traced peer_dm8 dmamap --json
	to_intel8x0 "$dev" && sleep 1
	stopped peer_al8
	stopped peer_dm8
	n=$(jqs "$dir/peer_al8.out" "select(.report==\"event\" and .caller==\"prealloc\" and .device==\"$dev\" and .error==0) | .type" | wc -w)
	[ "$n" -ge 2 ]
	check $? "peers: allocs sees snd-intel8x0 preallocate its buffers ($n)"
	n=$(jqs "$dir/peer_dm8.out" "select(.report==\"total\" and .device==\"$dev\") | .calls.dma_alloc_attrs.count")
	[ "${n:-0}" -ge 2 ]
	check $? "peers: dmamap times snd-intel8x0's dma_alloc_attrs ($n)"
	back_to_sgscope "$dev"

	# -- a planted cost (inject --cost): under icount every instruction is
	# 2^shift ns, so the rounds of pcm2's 16 faults grow by what the loop
	# at the .page op's entry runs; two costs, so the attach's own fixed
	# instructions drop out
	shift=$(sed -n 's/.*sgscope_clock=icount:\([0-9]*\).*/\1/p' /proc/cmdline)
	round() {
		"$S" inject --cost "sgscope_pcm_vmalloc_page=$1" -- "$dir/pcm-touch" hw:sgscope,2 4096 20 \
			2>"$dir/cost.err" | sed -n 's/^ns_round_min //p'
	}
	r1=$(round 2000) r2=$(round 20000)
	grep -q "paid its cost 80 times" "$dir/cost.err"
	check $? "inject --cost: every .page call paid it ($(tail -1 "$dir/cost.err"))"
	per=$(echo "scale=4; ($r2 - $r1) / 4 / 18000 / 2^${shift:-0}" | bc)
	echo "# --cost: rounds of 4 faults $r1 and $r2 ns: $per instructions per planted instruction"
	[ -n "$shift" ] && echo "$per" | awk '{ exit !($1 >= 0.99 && $1 <= 1.01) }'
	check $? "inject --cost: the loop runs the instructions asked for, within 1% ($per per instruction, icount shift $shift)"
	"$S" inject --cost sgscope_no_such_function=100 -d 1 >/dev/null 2>"$dir/err"
	rc=$?
	grep -q "sgscope_no_such_function" "$dir/err" && [ $rc = 1 ]
	check $? "inject --cost: a function the kernel does not have is named (exit $rc)"
	"$S" inject --cost sgscope_pcm_vmalloc_page -d 1 >/dev/null 2>"$dir/err"
	rc=$?
	grep -q "^usage: sgscope inject" "$dir/err" && [ $rc = 2 ]
	check $? "inject --cost: FUNCTION without =INSNS is a usage error (exit $rc)"

	# -- every inject mode arms on the test kernel and disarms when its
	# command ends (what they do is the fault matrix's): a compat row each
	for m in "--order 3" --all --slab --pages "--nth 1" "--fragment 50" "--lowmem 0" \
		"--pressure 64" "--cost snd_pcm_hw_params=1000"; do
		compat_begin
		"$S" inject --json $m -- "$dir/pcm-touch" hw:sgscope,2 4096 1 >/dev/null 2>"$dir/inj.err"
		rc=$?
		expect "inject $m: arms on the test kernel and disarms (exit $rc)" "armed disarmed" \
			"$(jq -Rr 'fromjson? | .report' "$dir/inj.err" | sort -u | xargs)"
		case $m in
		--order* | --all) f=should_fail_alloc_page ;;
		--cost*) f=snd_pcm_hw_params ;;
		*) f= ;;
		esac
		compat_inject "$m" "$f" "$dir/inj.err"
	done

	# -- errors a user can act on
	"$S" pagelat --frobnicate >/dev/null 2>"$dir/err"
	expect "errors: an unknown flag exits 2" 2 $?
	grep -q '^usage: sgscope pagelat' "$dir/err"
	check $? "errors: ... and prints usage on stderr"
	"$S" allocs -c nosuchcard >/dev/null 2>"$dir/err"
	rc=$?
	grep -q "no sound card 'nosuchcard'" "$dir/err"
	check $? "errors: a card filter naming no card says so (exit $rc)"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$S" pagelat -d 1 >/dev/null 2>"$dir/err"
	rc=$?
	grep -q 'CAP_BPF' "$dir/err" && [ $rc = 1 ]
	check $? "errors: without privileges it names the capabilities (exit $rc)"
	mount -t tmpfs none /sys/kernel/btf
	"$S" pagelat -d 1 >/dev/null 2>"$dir/err"
	rc=$?
	grep -q '/sys/kernel/btf/vmlinux is missing' "$dir/err" && grep -q -- '--btf PATH' "$dir/err"
	check $? "errors: without kernel BTF it says so and offers --btf (exit $rc)"
	# (libbpf still finds the kernel's BTF for fentry through
	# /lib/modules/*/build/vmlinux; kprobes are what a BTF-less kernel gets)
	traced nobtf pagelat -c sgscope --btf "$kbuild/vmlinux" --attach kprobe --json
	touch_pcm hw:sgscope,2 65536
	stopped nobtf
	umount /sys/kernel/btf
	expect "errors: with --btf and kprobes the faults are counted" "kprobe 64" \
		"$(jqs "$dir/nobtf.out" 'select(.report=="start") | .probes[0].attach') $(jqs "$dir/nobtf.out" 'select(.report=="total") | .count')"

	# -- real fragmentation, nothing injected: no free block of order >= 1
	# in any zone (ZONE_DMA's below order 4 kept for the kernel), pcm1's
	# 256 KiB buffer takes the SG fallback on its own; after disarm the
	# same buffer is one block again
	# beside it a client capturing from pcm0 (the playback engine stays
	# free for pcm1), whose device file alsa-lib keeps mapped (the status
	# and control pages): the fragmenter locks the files mapped, and must
	# not open that one (a PCM in use blocks its open)
	arecord -q -D hw:sgscope,0 -f S16_LE -c 2 -r 48000 -d 3600 /dev/null &
	client=$!
	for _ in $(seq 50); do
		grep -q "/dev/snd/pcmC${card}D0c" "/proc/$client/maps" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "/dev/snd/pcmC${card}D0c" "/proc/$client/maps"
	check $? "fragment: the capturing client has pcm0's device file mapped"
	traced nf allocs --json
	"$S" inject --fragment 100 --order-min 1 -- sh -c 'dir=$1 debugfs=$2; . "$3"; held_layout 1 65536 1 "$dir/nf.layout"' \
		sh "$dir" "$debugfs" "$here/lib.sh" 2>"$dir/nf.err"
	expect "fragment: inject --fragment 100 --order-min 1 runs, a client's PCM open and mapped" 0 $?
	kill "$client"
	wait "$client"
	held_layout 1 65536 1 "$dir/nf-after.layout"
	stopped nf
	sed 's/^/# /' "$dir/nf.err"
	zones=$(grep -c "buddyinfo after" "$dir/nf.err")
	clean=$(grep -c "zone [A-Za-z0-9]*: 0 free blocks of order >= [14] an ordinary allocation can take" "$dir/nf.err")
	[ "$zones" -ge 2 ] && [ "$zones" = "$clean" ]
	check $? "fragment: no zone left with a free block it must not have ($clean of $zones zones)"
	grep -q "zone DMA32: 0 free blocks of order >= 1 an ordinary allocation can take" "$dir/nf.err"
	check $? "fragment: ... none of order >= 1 in DMA32, where the device's buffers come from"
	ev="select(.report==\"event\" and .card==$card and .pcm==1 and .stream==\"playback\")"
	expect "fragment: pcm1's 256 KiB buffer falls back to SG with nothing injected (debugfs, allocs)" \
		"1 sg-fallback" "$(sed -n 's/^fell_back //p' "$dir/nf.layout") $(jqs "$dir/nf.out" "$ev | .result" | cut -d' ' -f1)"
	echo "# natural fallback, chunk orders (allocs): $(jqs "$dir/nf.out" "$ev | .orders | tojson" | cut -d' ' -f1)"
	expect "fragment: after disarm, the same buffer is one block of order 6 again" \
		"0 contiguous {\"6\":1}" \
		"$(sed -n 's/^fell_back //p' "$dir/nf-after.layout") $(jqs "$dir/nf.out" "$ev | \"\\(.result) \\(.orders | tojson)\"" | cut -d' ' -f3-)"
fi

if [ "$mode" = swiotlb ] || [ "$mode" = iommu ]; then
	traced dm dmamap -c sgscope --json
	touch_pcm hw:sgscope,2 65536
	touch_pcm hw:sgscope,1 65536
	stopped dm
	expect "dmamap ($mode): the device's mode" "$mode" \
		"$(jqs "$dir/dm.out" 'select(.report=="total") | .mode')"
	n=$(jqs "$dir/dm.out" 'select(.report=="total") | .bounces')
	if [ "$mode" = swiotlb ]; then
		[ "${n:-0}" -ge 1 ]
		check $? "dmamap (swiotlb): bounces are counted ($n, $(jqs "$dir/dm.out" 'select(.report=="total") | .bounce_bytes') bytes)"
	else
		expect "dmamap (iommu): no bounces" 0 "$n"
	fi
fi
finish
