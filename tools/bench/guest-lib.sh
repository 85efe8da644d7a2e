# SPDX-License-Identifier: GPL-2.0
# Sourced by the benchmark's guest scripts.

# started FILE PATTERN: wait (up to 5 minutes) until FILE has PATTERN: a
# tracer's line that says it is attached
started() {
	for _ in $(seq 3000); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
