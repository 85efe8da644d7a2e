#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test machine: the benchmark cells of one boot.  For every
# strategy (pcm0-3, pcm2 with both .page variants) x buffer size x condition, ITER iterations of
# pcm-touch (open, hw_params, 20 rounds of map + fault every page + unmap,
# close) while sgscope allocs, dmamap and pagelat record.  Prints one
# "SAMPLE <json>" line per measurement.
# $1: boot (direct, swiotlb, iommu)  $2: iterations  $3: quick|full  $4: dir
boot=$1 iter=$2 level=$3 dir=$4
S=$(cd "$(dirname "$0")/../.." && pwd)/build/sgscope/sgscope
cp "$dir/pcm-touch" /tmp/

sizes="65536 262144 1048576"
conditions="none order1 pressure"
[ "$level" = quick ] && sizes=262144 && conditions="none order1"

started() {
	for i in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# sample CELL METRIC UNIT ITERATION VALUE KIND
sample() {
	[ -n "$5" ] && [ "$5" != null ] &&
		echo "SAMPLE {\"cell\":\"$1\",\"metric\":\"$2\",\"unit\":\"$3\",\"iteration\":$4,\"value\":$5,\"higher_is_better\":false,\"kind\":\"$6\"}"
}

# pcm2 twice: its .page by vmalloc_to_page and from the cached page array
strategies="0 1 2:lookup 2:cached 3"
n=0
for s in $strategies; do
	for bytes in $sizes; do
		[ ${s%%:*} = 0 ] && [ $bytes -gt 262144 ] && continue
		for cond in $conditions; do n=$((n + 1)); done
	done
done
echo "# cells $n"

for s in $strategies; do
	pcm=${s%%:*}
	variant=${s#*:}
	name=pcm$pcm
	if [ "$variant" != "$s" ]; then
		echo "$variant" >/sys/module/snd_sgscope/parameters/vmalloc_page
		name=pcm$pcm-$variant
	fi
	for bytes in $sizes; do
		# pcm0's buffer is its 256 KiB preallocation at most
		[ $pcm = 0 ] && [ $bytes -gt 262144 ] && continue
		for cond in $conditions; do
			cell="$name/$boot/$((bytes / 1024))k/$cond"
			echo "# cell $cell"
			"$S" allocs -c sgscope -p $pcm --json >/tmp/allocs.json 2>/dev/null &
			a=$!
			"$S" dmamap -c sgscope --json >/tmp/dmamap.json 2>/dev/null &
			d=$!
			"$S" pagelat -c sgscope -p $pcm --json >/tmp/pagelat.json 2>/dev/null &
			p=$!
			started /tmp/allocs.json '"start"'; started /tmp/dmamap.json '"start"'
			started /tmp/pagelat.json '"start"'
			inj=
			case $cond in
			order1) "$S" inject --order 1 -d 3600 2>/tmp/inject.err & inj=$! ;;
			pressure) "$S" inject --pressure 64 -d 3600 2>/tmp/inject.err & inj=$! ;;
			esac
			[ -n "$inj" ] && started /tmp/inject.err armed
			for i in $(seq "$iter"); do
				ns=$(taskset -c 0 /tmp/pcm-touch hw:sgscope,$pcm $((bytes / 4)) 20 |
					sed -n 's/^ns_per_round //p')
				sample "$cell" fault_round_ns ns $i "$ns" central
			done
			[ -n "$inj" ] && kill -INT $inj && wait $inj
			kill -INT $a $d $p
			wait $a $d $p
			i=0
			jq -c 'select(.report=="event" and .pcm=='$pcm')' /tmp/allocs.json | while read -r ev; do
				i=$((i + 1))
				sample "$cell" alloc_ns ns $i "$(echo "$ev" | jq .duration_ns)" central
				sample "$cell" chunks count $i "$(echo "$ev" | jq .chunks)" counter
			done
			i=0
			jq -c 'select(.report=="map" and .comm=="pcm-touch")' /tmp/dmamap.json | while read -r ev; do
				i=$((i + 1))
				sample "$cell" dma_map_ns ns $i "$(echo "$ev" | jq .duration_ns)" central
			done
			t=$(jq -c 'select(.report=="total" and .stream=="playback")' /tmp/pagelat.json | head -1)
			if [ -n "$t" ]; then
				sample "$cell" pagelat_p50_ns ns 1 "$(echo "$t" | jq .p50_ns)" central
				sample "$cell" pagelat_p99_ns ns 1 "$(echo "$t" | jq .p99_ns)" tail
			fi
		done
	done
done
echo lookup >/sys/module/snd_sgscope/parameters/vmalloc_page
