#!/usr/bin/env bash
# Sets one headline per script (the golden entries of the headline corpus,
# corpus/headlines.yaml) as sharecard sets it on the og card, and
# the same text, size, width, line height, language and direction in
# headless Chromium with the repository's fonts only (a temporary
# fontconfig that knows just fonts/). Writes side-by-side PNGs (sharecard
# left, Chromium right) and report.txt (each side's line breaks, and
# whether they agree) to a folder for a person to look at.
#
#   bash bench/typecompare.sh            # into a new temporary folder
#   bash bench/typecompare.sh /tmp/tc    # into /tmp/tc
#
# Needs Debian's chromium (bash .ci/chromium.sh). The work is
# corpuscheck's TestTypeCompare, which is skipped in plain go test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d -t typecompare-XXXXXX)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
SHARECARD_TYPECOMPARE_OUT="$out" go test -count=1 ./corpuscheck/ -run '^TestTypeCompare$' -v |
  sed -n '/line breaks agree/,$p' | grep -v '^=== \|^--- \|^PASS\|^ok ' || true
echo "side-by-side images (sharecard left, Chromium right) and report.txt in $out"
