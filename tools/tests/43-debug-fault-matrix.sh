#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fast fault matrix's cells that fail something, on the debug kernel
# (the errors level, its plain boot: 70-fault-matrix runs the whole fast
# matrix with swiotlb and the IOMMU on the plain kernel): every injected
# failure's error path runs under KASAN, lockdep and DMA-API debugging,
# and any splat fails the suite.  The cells where nothing fails (the
# baseline, pressure, the strategies an injection leaves alone) are
# 70-fault-matrix's only: here each scenario costs a minute or more of
# guest time.  Its table: results/test-debug/fault-matrix.
source "$(dirname "$0")/lib.sh"
start_checks
on_debug_kernel
# KASAN and lockdep make the boot about three times the plain one's
# (17 minutes of wall time beside another guest, 25 beside three)
# kmemleak scans once, at the end: a scan of this kernel's memory takes 55
# to 140 s of guest time, and 70-fault-matrix scans after every scenario
# on the plain kernel
BOOTS=plain MATRIX_KMEMLEAK=end MATRIX_TIMEOUT=4500 "$repo/tools/tests/fault-matrix-run" errors "$repo/results/test$variant/fault-matrix"
check $? "debug: the fault matrix's errors level passes on the debug kernel"
finish
