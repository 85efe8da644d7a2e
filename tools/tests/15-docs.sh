#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The documentation: README stays a front door (at most 300 lines), every
# relative link in README.md and docs/*.md resolves (file and heading
# anchor), docs/measurements.md is what tools/bench/measurements.py
# derives from the committed run folders, and README's compatibility
# summary is docs/compatibility.md's with every kernel "yes".  The link check is shown to fail
# on a broken file, a broken anchor and a document without links.
source "$(dirname "$0")/lib.sh"
start_checks

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs="$repo/tools/tests/docs-check.py"

lines=$(wc -l <"$repo/README.md")
if [ "$lines" -le 300 ]; then
	pass "docs: README.md is at most 300 lines ($lines)"
else
	fail "docs: README.md is at most 300 lines ($lines)"
fi

if out=$("$docs" links "$repo/README.md" "$repo"/docs/*.md); then
	pass "docs: every relative link in README.md and docs/*.md resolves"
else
	fail "docs: every relative link in README.md and docs/*.md resolves" "$out"
fi

if out=$("$docs" measurements); then
	pass "docs: docs/measurements.md is what measurements.py writes from results/"
else
	fail "docs: docs/measurements.md is what measurements.py writes from results/" "$out"
fi

# README's compatibility summary: docs/compatibility.md's, all yes
relay "$repo/tools/tests/compat.py" summary-check "$repo/docs/compatibility.md" "$repo/README.md"
# ... and it fails on a kernel whose row says no
sed '0,/| yes |$/s//| no |/' "$repo/docs/compatibility.md" >"$tmp/compat-no.md"
cp "$repo/README.md" "$tmp/README.md"
"$repo/tools/tests/compat.py" summary "$tmp/compat-no.md" "$tmp/README.md"
out=$("$repo/tools/tests/compat.py" summary-check "$tmp/compat-no.md" "$tmp/README.md")
contains "docs: the summary check fails where a probe's counts did not match" "not ok - compat" "$out"

# the checks can fail: synthetic documents beside a real heading
printf '# Title\n\n## A section: `x`\n\ntext\n' >"$tmp/target.md"
links() { printf "$2" >"$tmp/doc.md"; "$docs" links "$tmp/doc.md" >/dev/null; expect "$1" "$3" $?; }
links "docs: link check passes a link to a file and its anchor" '[t](target.md#a-section-x) [u](#top)\n# Top\n' 0
links "docs: link check fails a link to a missing file" '[t](missing.md)\n' 1
links "docs: link check fails a link to a missing anchor" '[t](target.md#no-such-heading)\n' 1
links "docs: link check fails a document without relative links" 'no links, only [out](https://example.org)\n' 1

finish
