#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In a stock-kernel test machine (tools/vm --kernel debian-VERSION): the
# sound core is modules, snd-sgscope is the module built against the
# kernel's own headers, and the tracers must find what they need in
# vmlinux's and the modules' BTF.
# $1: folder with pcm-touch and snd-sgscope.ko, writable for the output
# $2: the kernel release the machine must run
dir=$1 release=$2
here=$(dirname "$0")
# SGSCOPE_BIN: another build of the CLI
S=${SGSCOPE_BIN:-$(cd "$here/../../.." && pwd)/build/sgscope/sgscope}
. "$here/lib.sh"
start_checks
compat_kernel=$(kernel_label "Debian's" "sound core as modules")
# The type pcm1's DEV_SG buffer is asked for, and what a small one
# (64 KiB, no IOMMU) gets: in 6.1, SNDRV_DMA_TYPE_DEV_SG is an alias of
# SNDRV_DMA_TYPE_NONCONTIG; later, DEV_SG takes one contiguous block when
# it can, and ALSA's SG fallback maps its table with dma_map_sgtable too
# (sg_maps: pcm-touch's maps of an SG table, pcm2's last)
case $(uname -r) in
6.1.*) sg_type=noncontig sg_small=noncontig sg_maps=1 ;;
*) sg_type=dev-sg sg_small=contiguous sg_maps=2 ;;
esac

expect "stock: the machine runs Debian's kernel" "$release" "$(uname -r)"
expect "stock: vmlinux BTF is there" yes "$([ -e /sys/kernel/btf/vmlinux ] && echo yes)"
modprobe snd-pcm && modprobe snd-ac97-codec
check $? "stock: snd-pcm and snd-ac97-codec load as modules"
expect "stock: snd-pcm's module BTF is there" yes "$([ -e /sys/kernel/btf/snd_pcm ] && echo yes)"
insmod "$dir/snd-sgscope.ko"
check $? "stock: snd-sgscope (built against the kernel's headers) loads with insmod"
expect "stock: snd-sgscope's module BTF is there" yes "$([ -e /sys/kernel/btf/snd_sgscope ] && echo yes)"
sgscope_card
# 8 MiB buffers: larger than the buddy allocator's largest block (order
# 10, 4 MiB), so pcm1's contiguous attempt always fails and ALSA's SG
# fallback builds the buffer, with nothing injected
[ -n "$card" ] && echo 8192 >"$debugfs/max_buffer_kb"
check $? "stock: the sgscope card is there (card $card), buffers up to 8 MiB (debugfs max_buffer_kb)"

# pcm-touch ID FRAMES ROUNDS: hw_params (one allocation), then ROUNDS of
# mmap + a byte written to every page + munmap
#
# snd-dummy twice: with its default fake buffer it maps pages through its
# .page, dummy_pcm_page (pagelat), with fake_buffer=0 it allocates a real
# buffer (allocs).  Loaded before pagelat starts, so that pagelat finds
# its op up front, and pagelat stops before it is unloaded: an fentry
# probe on a module's function holds the module
for attach in fentry kprobe; do
	modprobe snd-dummy
	check $? "stock: snd-dummy loads with its fake buffer ($attach)"
	dummy=$(card_of Dummy)
	traced al allocs --json --attach "$attach" || continue
	traced pl pagelat --json --attach "$attach"
	traced dm dmamap --json --attach "$attach"
	touch_pcm hw:sgscope,1 16384 2
	# 2048 pages, one round: each faults once through pcm1's .page
	pcm1_chunks=$(held_chunks 1 2097152 1)
	pcm2_chunks=$(held_chunks 2 16384 2)
	touch_pcm hw:sgscope,3 16384 2
	touch_pcm hw:Dummy,0 16384 2
	# stopped while snd-dummy is loaded: pagelat names its .page then
	stopped pl
	check $? "stock: pagelat exits 0 at Ctrl-C ($attach)"
	modprobe -r snd-dummy && modprobe snd-dummy fake_buffer=0
	check $? "stock: snd-dummy loads again with fake_buffer=0 ($attach)"
	touch_pcm hw:Dummy,0 16384 2
	for t in al dm; do
		stopped $t
		check $? "stock: the tracer exits 0 at Ctrl-C ($attach: $t)"
	done
	modprobe -r snd-dummy
	A="$dir/al.out" P="$dir/pl.out" D="$dir/dm.out"
	for f in "$A" "$P" "$D"; do
		jq -e . "$f" >/dev/null
		check $? "stock: the --json output parses ($attach: $(basename "$f" .out))"
	done
	compat_begin
	expect "stock: allocs attached as asked ($attach)" "$attach" \
		"$(jqs "$A" 'select(.report=="start") | .probes[0].attach')"
	ev='select(.report=="event" and .stream=="playback")'
	expect "stock: allocs: pcm1's 64 KiB DEV_SG buffer ($attach)" "$sg_type $sg_small" \
		"$(jqs "$A" "$ev | select(.card==$card and .pcm==1 and .bytes==65536) | \"\(.requested_type) \(.result)\"")"
	expect "stock: allocs: pcm1's 8 MiB buffer is the SG fallback's, its chunks the driver's ($attach)" \
		"$sg_type sg-fallback $pcm1_chunks" \
		"$(jqs "$A" "$ev | select(.card==$card and .pcm==1 and .bytes==8388608) | \"\(.requested_type) \(.result) \(.chunks)\"")"
	expect "stock: allocs: pcm2 is vmalloc ($attach)" "vmalloc 65536" \
		"$(jqs "$A" "$ev | select(.card==$card and .pcm==2) | \"\(.result) \(.bytes)\"")"
	expect "stock: allocs: pcm3 is noncontig ($attach)" "noncontig hw_params" \
		"$(jqs "$A" "$ev | select(.card==$card and .pcm==3) | \"\(.result) \(.caller)\"")"
	expect "stock: allocs: snd-dummy's buffer is continuous ($attach)" "continuous 65536" \
		"$(jqs "$A" "$ev | select(.card==$dummy) | \"\(.result) \(.bytes)\"")"
	compat_row allocs "$attach" "$A"
	compat_begin
	total='select(.report=="total")'
	# 16 pages, 2 rounds; pcm1's 64 KiB and pcm3's buffers are mapped up
	# front (no faults: without an IOMMU they are single blocks in the
	# direct map), pcm1's 8 MiB fallback buffer page by page
	# faults_counted SELECT: a stream's fault count as WANT or fewer, by
	# as many as pagelat reports not timed (on PREEMPT_RT, where a BPF
	# syscall of the tracer can be preempted holding its CPU's BPF count,
	# the kernel skips a kprobe's program then: "missed", and an end whose
	# start was skipped is "unmatched"): "count page_op", the count made
	# whole
	faults_counted() {
		jqs "$P" "$total | $1 | \"\(.count) \(.unmatched + .missed) \(.page_op)\"" |
			awk -v want="$2" '{ n = $1; if (n < want && n + $2 >= want) { print "# " want - n " not timed, their probes skipped" > "/dev/stderr"; n = want } print n, $3 }'
	}
	expect "stock: pagelat: pcm2's faults counted ($attach)" "32 sgscope_pcm_vmalloc_page" \
		"$(faults_counted "select(.card==$card and .pcm==2)" 32)"
	expect "stock: pagelat: pcm2's page op is the driver's ($attach)" sgscope_pcm_vmalloc_page \
		"$(jqs "$P" "$total | select(.card==$card and .pcm==2) | .page_op")"
	expect "stock: pagelat: snd-dummy's faults counted ($attach)" "32 dummy_pcm_page" \
		"$(faults_counted "select(.card==$dummy)" 32)"
	expect "stock: pagelat: snd-dummy's page op ($attach)" dummy_pcm_page \
		"$(jqs "$P" "$total | select(.card==$dummy) | .page_op")"
	# the op itself, timed inside each of those faults
	for want in "$card 1 sgscope_pcm_sg_page 2048" "$card 2 sgscope_pcm_vmalloc_page 32" \
		"$dummy 0 dummy_pcm_page 32"; do
		set -- $want
		expect "stock: pagelat: the .page op timed in each fault (card $1 pcm $2, $attach)" \
			"$3 $4 $attach" \
			"$(jqs "$P" "$total | select(.card==$1 and .pcm==$2) | \"\(.op.function) \(.op.count) \(.op.attach)\"")"
	done
	expect "stock: pagelat: the op histograms are there ($attach)" "true true true" \
		"$(jqs "$P" "$total | select(.op) | .op.log2 | length > 0")"
	expect "stock: pagelat: pcm1's faults counted (its SG fallback buffer) ($attach)" "2048 sgscope_pcm_sg_page" \
		"$(faults_counted "select(.card==$card and .pcm==1)" 2048)"
	expect "stock: pagelat: pcm3 takes no fault ($attach)" "" \
		"$(jqs "$P" "$total | select(.card==$card and .pcm==3) | \"pcm\(.pcm):\(.count)\"")"
	compat_row pagelat "$attach" "$P"
	compat_begin
	maps=$(jqs "$D" 'select(.report=="map" and .call=="dma_map_sgtable" and .comm=="pcm-touch") | .nents')
	expect "stock: dmamap: the SG tables' dma_map_sgtable, pcm2's entries = the driver's chunks ($attach)" \
		"$sg_maps $pcm2_chunks" "$(echo $maps | wc -w) ${maps##* }"
	compat_row dmamap "$attach" "$D"
done

# Real fragmentation where fault injection is compiled out: no free
# block of order >= 1 an ordinary allocation can take in DMA32 (ZONE_DMA
# keeps blocks below order 4 for the kernel: with page-table isolation
# every fork takes an order-1 PGD), then a 256 KiB pcm1 hw_params traced
# by allocs: the SG fallback on its own
traced frag allocs --json
"$S" inject --fragment 100 --order-min 1 -- sh -c 'dir=$1 debugfs=$2; . "$3"; held_layout 1 65536 1 "$dir/frag.layout"' \
	sh "$dir" "$debugfs" "$here/lib.sh" 2>"$dir/frag.err"
expect "stock: inject --fragment 100 --order-min 1 runs" 0 $?
stopped frag
grep -q "zone DMA32: 0 free blocks of order >= 1 an ordinary allocation can take" "$dir/frag.err"
check $? "stock: ... leaving DMA32 no free block of order >= 1 ($(grep -c 'buddyinfo after' "$dir/frag.err") zones shown)"
sed 's/^/# /' "$dir/frag.err"
ev="select(.report==\"event\" and .card==$card and .pcm==1 and .stream==\"playback\")"
expect "stock: pcm1's 256 KiB buffer falls back to SG with nothing injected (debugfs, allocs)" \
	"1 sg-fallback" "$(sed -n 's/^fell_back //p' "$dir/frag.layout") $(jqs "$dir/frag.out" "$ev | .result" | cut -d' ' -f1)"
echo "# natural fallback on $(uname -r): chunks $(sed -n 's/^chunks //p' "$dir/frag.layout"); allocs: $(jqs "$dir/frag.out" "$ev | \"\\(.result), chunks \\(.chunks), allocations \\(.allocations), orders \\(.orders | tojson)\"")"

# inject: Debian's kernels have no error injection and no fault injection;
# what needs them refuses at once, naming the option; the memory
# conditions and a planted cost run.  A compat row each.
compat_begin
"$S" inject --order 1 -d 1 2>"$dir/inj.err"
expect "stock: inject --order refuses (exit 1)" 1 $?
expect "stock: ... naming CONFIG_FUNCTION_ERROR_INJECTION, in one line" "1 1" \
	"$(grep -c CONFIG_FUNCTION_ERROR_INJECTION "$dir/inj.err") $(wc -l <"$dir/inj.err")"
compat_inject "--order 1" should_fail_alloc_page "$dir/inj.err"
for refused in "--pages CONFIG_FAIL_PAGE_ALLOC" "--slab CONFIG_FAILSLAB" "--nth CONFIG_FAULT_INJECTION"; do
	set -- $refused
	compat_begin
	[ "$1" = --nth ] && set -- "--nth 1" "$2"
	"$S" inject $1 -- true 2>"$dir/inj.err"
	expect "stock: inject $1 refuses naming $2" "1 1" "$? $(grep -c "$2" "$dir/inj.err")"
	compat_inject "$1" "" "$dir/inj.err"
done
compat_begin
"$S" inject --json --fragment 50 -- true 2>"$dir/inj.err"
expect "stock: inject --fragment runs" 0 $?
compat_inject "--fragment 50" "" "$dir/inj.err"
compat_begin
"$S" inject --json --pressure 64 -d 1 >/dev/null 2>"$dir/inj.err"
expect "stock: inject --pressure runs" 0 $?
compat_inject "--pressure 64" "" "$dir/inj.err"
compat_begin
"$S" inject --json --lowmem 0 -- python3 -c 'b = bytearray(32 << 20)' 2>"$dir/lowmem.err"
expect "stock: inject --lowmem runs" 0 $?
grep -q 'lowmem filled' "$dir/lowmem.err"
check $? "stock: ... and fills"
compat_inject "--lowmem 0" "" "$dir/lowmem.err"
compat_begin
"$S" inject --json --cost snd_pcm_hw_params=1000 -- "$dir/pcm-touch" hw:sgscope,2 4096 1 >/dev/null 2>"$dir/inj.err"
expect "stock: inject --cost runs" 0 $?
expect "stock: ... and hw_params paid it once" 1 \
	"$(jq -Rr 'fromjson? | select(.report=="disarmed") | .calls' "$dir/inj.err")"
compat_inject "--cost snd_pcm_hw_params=1000" snd_pcm_hw_params "$dir/inj.err"
finish
