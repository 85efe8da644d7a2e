#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 2,000 rounds of pcm-fuzz (tools/tests/fuzz-run) on every PCM of the
# debug kernel, where any splat in the boot fails the suite.
source "$(dirname "$0")/lib.sh"
start_checks
on_debug_kernel
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$repo/tools/tests/fuzz-run" "$tmp/fuzz" 2000
check $? "debug: 2,000 fuzz rounds pass on the debug kernel"
finish
