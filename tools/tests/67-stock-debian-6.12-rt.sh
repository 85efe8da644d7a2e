#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/tests/stock-suite.sh on Debian 12's own kernel debian-6.12-rt.
stock_name=debian-6.12-rt
source "$(dirname "$0")/stock-suite.sh"
