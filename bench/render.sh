#!/usr/bin/env bash
# Speed and memory of the render engine on the largest test photo (16 MP).
# Prints go test benchmarks (warm, in-process, with the stage split) and the
# CLI end to end (cold process: wall time and peak RSS) for one Open Graph
# card, the standard set and every preset. Bounded: a few runs each.
#
#   bash bench/render.sh            # 5 benchmark iterations, 3 CLI runs
#   RUNS=5 BENCHTIME=10x bash bench/render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BENCHTIME=${BENCHTIME:-5x}

if ! command -v /usr/bin/time >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else echo "need /usr/bin/time (apt-get install time)"; exit 1; fi
fi

echo "== go test -bench (warm process; ms per job, stage split per job)"
go test ./render -run '^$' -bench 'Render(DecodeOnly|OG|Standard|All)$' -benchtime "$BENCHTIME" |
  awk '/^Benchmark/ {printf "%-28s %7.0f ms", $1, $3/1e6; for (i = 5; i < NF; i += 2) if ($(i+1) ~ /-ms$/) printf "  %s %s", $(i+1), $i; print ""}'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/sharecard" .
cp render/testdata/photos/dandelions-5312x2988-large.jpg "$tmp/photo.jpg"
cat > "$tmp/article.yaml" <<'YAML'
headline: Occupying US forces withdraw from K1 Air Base in northern Iraq, hand it over to Iraqi army
section: Iraq
credit: "Photo: Clemens Engelhardt, CC0"
photo: photo.jpg
YAML

echo "== CLI end to end (cold process each run; includes start-up and writing files)"
for set in og standard all; do
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "$set: %e s wall, %U s user, %M KB peak RSS" \
      "$tmp/sharecard" render --preset "$set" --out "$tmp/out" "$tmp/article.yaml" 2>&1 >/dev/null | grep 'peak RSS'
  done
done
