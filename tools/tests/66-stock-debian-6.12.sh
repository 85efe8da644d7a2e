#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tools/tests/stock-suite.sh on Debian 12's own kernel debian-6.12.
stock_name=debian-6.12
source "$(dirname "$0")/stock-suite.sh"
