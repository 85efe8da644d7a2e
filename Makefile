# SPDX-License-Identifier: GPL-2.0
#
# sgscope: every entry point.  `make bench` and `make test` are all a fresh
# machine needs; each target installs (deps) and builds what it uses.

SGSCOPE_CACHE ?= $(HOME)/.cache/sgscope
KSRC   ?= $(SGSCOPE_CACHE)/linux-source-6.12
KBUILD ?= $(SGSCOPE_CACHE)/build
# the debug kernel's build folder: never KBUILD, which the benchmark and the
# suites of the plain kernel read
DEBUG_KBUILD ?= $(SGSCOPE_CACHE)/debug/build
JOBS   ?= $(shell nproc)
export SGSCOPE_CACHE KSRC KBUILD DEBUG_KBUILD JOBS

KUNIT_PY := $(KSRC)/tools/testing/kunit/kunit.py

.PHONY: all deps kernel debug-kernel stock-kernel sgscope kunit test bench soak soak-trial lab compat-table clean help

all: kernel

help:
	@echo "make bench   build everything, boot the test machine, run the benchmark"
	@echo "make test    build everything and run every test suite"
	@echo "make deps    install the Debian packages sgscope needs"
	@echo "make kernel  build the sgscope kernel in $(KBUILD)"
	@echo "make debug-kernel  build the debug kernel (lockdep, KASAN, UBSAN, KFENCE, DMA-API) in $(DEBUG_KBUILD) for tools/vm --kernel debug"
	@echo "make stock-kernel  fetch Debian 12's kernels (STOCK_KERNELS) for tools/vm --kernel debian-..."
	@echo "make kunit   run the KUnit suites with kunit.py"
	@echo "make sgscope build the tracing CLI into build/sgscope/"
	@echo "make soak    SOAK=24h (default) of all four PCMs playing and capturing under faults, on SOAK_MACHINES=2 machines at once, then the smallest-buffer trials, into results/soak-SOAK"
	@echo "make soak-trial  the smallest buffer each strategy runs clean, direct and IOMMU, with and without --fragment, into results/soak-trial"
	@echo "make lab     the quick matrix through a LAVA lab started on this machine, against a plain quick run"
	@echo "make compat-table  docs/compatibility.md from the last make test"

deps:
	@tools/deps

kernel: deps
	@tools/kernel-build

# the test kernel with the checks 0-day and syzbot run (kunit/debug.config)
debug-kernel: deps
	@tools/kernel-build --debug

# Debian's own kernels, the second kind of test machine (65- to 67-stock-*)
STOCK_KERNELS ?= debian-6.1 debian-6.12 debian-6.12-rt
stock-kernel: kernel
	@for k in $(STOCK_KERNELS); do tools/stock-kernel $$k || exit 1; done

# the tracing CLI, built against the kernel's BTF: build/sgscope/sgscope
sgscope: kernel
	@$(MAKE) -s -C tools/sgscope VMLINUX=$(KBUILD)/vmlinux OUT=$(CURDIR)/build/sgscope

kunit: kernel
	@tools/run-tests 30-kunit

test: kernel debug-kernel sgscope stock-kernel
	@tools/run-tests

# BENCH=--quick: a run of a few minutes
bench: kernel sgscope
	@tools/bench/run $(BENCH)

# SOAK of guest time (90s, 10m, 1h, 24h) of all four PCMs at once under a
# seeded schedule of faults (SOAK_SEED), shared by SOAK_MACHINES test
# machines at once (one a core: a machine runs in one host thread),
# then the smallest-safe-buffer trials (-b): tools/soak/run
SOAK ?= 24h
SOAK_SEED ?= 1
SOAK_MACHINES ?= 2
SOAK_FAULT_GAP ?= 60
soak: kernel sgscope
	@tools/soak/run -d $(SOAK) -s $(SOAK_SEED) -j $(SOAK_MACHINES) -g $(SOAK_FAULT_GAP) -b results/soak-$(SOAK)

# the smallest-safe-buffer trials (tools/soak/trials): each strategy's
# smallest clean buffer in direct and IOMMU mode, with and without
# --fragment, results/soak-trial/table.md
soak-trial: sgscope
	@tools/soak/trials results/soak-trial

# a LAVA lab on this machine (tools/lab/local-lab): the quick matrix as two
# jobs, collected, against a plain quick run; the lab stopped after
lab: kernel sgscope
	@tools/lab/lab-quick

# the rows 60-sgscope, 62-xrun and 65- to 67-stock-* recorded, into
# docs/compatibility.md and its summary in README.md
compat-table:
	@tools/tests/compat.py write docs/compatibility.md $(wildcard $(SGSCOPE_CACHE)/compat-*.tsv)
	@tools/tests/compat.py summary docs/compatibility.md README.md

clean:
	rm -rf $(KBUILD) $(SGSCOPE_CACHE)/modroot $(DEBUG_KBUILD) $(dir $(DEBUG_KBUILD))modroot $(addprefix $(SGSCOPE_CACHE)/,$(STOCK_KERNELS)) build
