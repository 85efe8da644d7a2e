set terminal svg size 1190,472 dynamic
set output '/work/main/results/test/lab-quick/lab/compare-heatmap.svg'
set title '% change of the median, new vs base (* significant, clipped at 50%)'
set cbrange [-50:50]
set palette defined (-50 'blue', 0 'white', 50 'red')
set xtics rotate by -30 ('fault_round_ns' 0, 'xruns' 1, 'pagelat_p50_ns' 2, 'pagelat_p99_ns' 3, 'pageop_p50_ns' 4, 'pageop_p99_ns' 5, 'alloc_ns' 6, 'chunks' 7, 'sg_fallbacks' 8, 'alloc_failures' 9, 'dma_map_ns' 10)
set ytics ('pcm0/direct/256k/none' 0, 'pcm2-lookup/direct/256k/none' 1, 'pcm2-premapped/direct/256k/none' 2, 'pcm0/direct/256k/order1' 3, 'pcm2-lookup/direct/256k/order1' 4, 'pcm2-premapped/direct/256k/order1' 5, 'intel8x0/direct/64k/none' 6, 'intel8x0/direct/64k/order1' 7, 'pcm1/direct/256k/none' 8, 'pcm2-cached/direct/256k/none' 9, 'pcm3/direct/256k/none' 10, 'pcm1/direct/256k/order1' 11, 'pcm2-cached/direct/256k/order1' 12, 'pcm3/direct/256k/order1' 13, 'dummy/direct/64k/none' 14, 'dummy/direct/64k/order1' 15)
set xrange [-0.5:10.5]
set yrange [-0.5:15.5]
plot '/work/main/results/test/lab-quick/lab/compare-heatmap.dat' using 1:2:3 with image notitle, '' using 1:2:4 with labels notitle
