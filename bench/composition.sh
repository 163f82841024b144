#!/usr/bin/env bash
# Prints the composition table of the closing note of issue 11: the
# hand-labelled photos of compositioncheck/testdata/labels.yaml (their
# mirrored, edge-shifted and 500 px transforms folded into each row) ×
# the built-in layouts, planned on every preset as the engine ships them.
# In each cell:
#   kept     faces and heads whole in the crop with headroom / checked
#            (label × preset pairs)
#   covered  labels more than 5% under text, badges, logos or opaque boxes
#            / checked (label × preset pairs; "clean" presets not counted)
#   stamps   cards whose photo covers less than 70% of its box with no
#            allowed fallback / cards ("identity" presets skipped)
#
#   bash bench/composition.sh              # the tree this script is in
#   bash bench/composition.sh /tmp/before  # another tree (an extracted
#                                          # commit with compositioncheck/
#                                          # copied in), for a before table
#   SHORT=1 bash bench/composition.sh      # 8 presets, fewer transforms
#
# The work is compositioncheck's TestCompositionTable, skipped in plain
# go test runs. Takes a few minutes on two cores.
set -euo pipefail
tree=${1:-$(dirname "$0")/..}
cd "$tree"
out=$(mktemp -t composition-XXXXXX)
trap 'rm -f "$out"' EXIT
short=()
if [[ -n "${SHORT:-}" ]]; then short=(-short); fi
go test -count=1 -timeout 60m "${short[@]}" ./compositioncheck/ -run '^TestCompositionTable$' -table-out "$out" >&2
echo "tree: $(pwd) ($(git log -1 --format=%h 2>/dev/null || echo 'no git'))"
cat "$out"
