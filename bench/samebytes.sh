#!/usr/bin/env bash
# Renders every sample with every built-in layout at every preset with the
# sharecard of revision BASE and with the working tree, and compares the
# folders byte for byte. manifest.json and meta.html name the engine
# version, which is masked; everything else must be identical.
#
#   bash bench/samebytes.sh [BASE]    (default BASE: 89ebcc2, main before the render/ split)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-89ebcc2}
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/base-src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

git worktree add --detach "$tmp/base-src" "$base" >/dev/null 2>&1
(cd "$tmp/base-src" && go build -o "$tmp/sharecard-base" .)
go build -o "$tmp/sharecard-new" .

for bin in base new; do
  for layout in standard split breaking; do
    for s in samples/*/article.yaml; do
      "$tmp/sharecard-$bin" render --out "$tmp/out-$bin/$layout" --preset all --layout "$layout" "$s" >/dev/null 2>&1
    done
  done
  # The engine version is in the manifest and the meta tags' comment.
  find "$tmp/out-$bin" \( -name manifest.json -o -name meta.html \) -exec \
    sed -i -E 's#sharecard-render/[0-9]+#sharecard-render/N#g' {} +
done

files=$(find "$tmp/out-new" -type f | wc -l)
if diff -r "$tmp/out-base" "$tmp/out-new" >"$tmp/diff.txt"; then
  echo "same bytes: $files files ($base vs working tree; engine version masked)"
else
  echo "DIFFERENT ($base vs working tree):"; cat "$tmp/diff.txt"; exit 1
fi
