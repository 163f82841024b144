#!/usr/bin/env bash
# Speed and memory of the render engine on the largest test photo (16 MP).
# Prints go test benchmarks (warm, in-process, with the stage split) and the
# CLI end to end (cold process: wall time and peak RSS) for one Open Graph
# card, the standard set and every preset, then one 1200x630 card made by
# ImageMagick (convert with -define jpeg:size, shrink-on-load) and libvips
# (vipsthumbnail) from the same photo in the same run, with the ratios
# (issue 13's baselines). Bounded: a few runs each.
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

# The baselines: the same 1200x630 crop from the same photo, as a whole
# process, in this run. Medians of RUNS runs; the ratios compare
# sharecard's one Open Graph card with each.
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
if command -v convert >/dev/null && command -v vipsthumbnail >/dev/null; then
  echo "== baselines: one 1200x630 card from the same photo (cold process)"
  : > "$tmp/sc" ; : > "$tmp/im" ; : > "$tmp/vips"
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -a -o "$tmp/sc" "$tmp/sharecard" render --preset og --out "$tmp/out" "$tmp/article.yaml" >/dev/null 2>&1
    /usr/bin/time -f "%e %M" -a -o "$tmp/im" convert -define jpeg:size=2400x1260 "$tmp/photo.jpg" -resize '1200x630^' -gravity center -extent 1200x630 -quality 85 "$tmp/im.jpg"
    /usr/bin/time -f "%e %M" -a -o "$tmp/vips" vipsthumbnail "$tmp/photo.jpg" --size 1200x630 --smartcrop centre -o "$tmp/vips.jpg[Q=85]"
  done
  sc=$(cut -d' ' -f1 "$tmp/sc" | median); im=$(cut -d' ' -f1 "$tmp/im" | median); vi=$(cut -d' ' -f1 "$tmp/vips" | median)
  printf "sharecard og     %5.2f s  peak %6d KB\n" "$sc" "$(cut -d' ' -f2 "$tmp/sc" | median)"
  printf "ImageMagick      %5.2f s  peak %6d KB\n" "$im" "$(cut -d' ' -f2 "$tmp/im" | median)"
  printf "vipsthumbnail    %5.2f s  peak %6d KB\n" "$vi" "$(cut -d' ' -f2 "$tmp/vips" | median)"
  awk -v s="$sc" -v i="$im" -v v="$vi" 'BEGIN {printf "sharecard / ImageMagick %.2fx, sharecard / vipsthumbnail %.2fx (below 1 is faster)\n", s / i, s / v}'
else
  echo "== baselines skipped: install imagemagick and libvips-tools (Debian) for them"
fi
