set terminal svg size 1010,428 dynamic
set output 'results/20261130-independence/busy/compare-heatmap.svg'
set title '% change of the median, new vs base (* significant, clipped at 50%)'
set cbrange [-50:50]
set palette defined (-50 'blue', 0 'white', 50 'red')
set xtics rotate by -30 ('fault_round_ns' 0, 'xruns' 1, 'alloc_ns' 2, 'chunks' 3, 'sg_fallbacks' 4, 'alloc_failures' 5, 'pagelat_p50_ns' 6, 'pagelat_p99_ns' 7, 'dma_map_ns' 8)
set ytics ('pcm0/direct/256k/none' 0, 'pcm1/direct/256k/none' 1, 'pcm2-lookup/direct/256k/none' 2, 'pcm2-cached/direct/256k/none' 3, 'pcm3/direct/256k/none' 4, 'pcm0/direct/256k/order1' 5, 'pcm1/direct/256k/order1' 6, 'pcm2-lookup/direct/256k/order1' 7, 'pcm2-cached/direct/256k/order1' 8, 'pcm3/direct/256k/order1' 9, 'intel8x0/direct/64k/none' 10, 'intel8x0/direct/64k/order1' 11, 'dummy/direct/64k/none' 12, 'dummy/direct/64k/order1' 13)
set xrange [-0.5:8.5]
set yrange [-0.5:13.5]
plot 'results/20261130-independence/busy/compare-heatmap.dat' using 1:2:3 with image notitle, '' using 1:2:4 with labels notitle
