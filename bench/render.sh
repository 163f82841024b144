#!/usr/bin/env bash
# Speed and memory of the render engine on the largest test photo (16 MP,
# progressive) and a baseline re-encode of it, next to ImageMagick and
# libvips making the same sizes from the same photo in the same run.
#
# Prints, in one run:
#   1. go test -bench: warm, in-process, with the stage split per job, for
#      one Open Graph card, the 9-card set (bench/set9.txt), the standard
#      set and every preset, and distinct cards of a prepared photo;
#   2. whole processes (cold start, the way `sharecard render` runs), the
#      median of RUNS runs with peak RSS: sharecard renders one OG card,
#      the 9-card set, the standard set and every preset; ImageMagick
#      (`convert -define jpeg:size`, shrink-on-load) and vipsthumbnail
#      make the same sizes as plain centre crops, one process per size
#      (they draw no text: they are the floor a resize tool reaches);
#   3. the ratios sharecard / ImageMagick and sharecard / vipsthumbnail
#      (below 1: sharecard is faster).
#
#   bash bench/render.sh                   # 5 benchmark iterations, 3 runs each
#   RUNS=5 BENCHTIME=10x bash bench/render.sh
#   SETS="og set9" bash bench/render.sh     # fewer sets
#
# Needs the Go toolchain and GNU time; ImageMagick (convert), libvips-tools
# (vipsthumbnail) and libjpeg-turbo-progs (for the baseline re-encode) are
# used when installed (Debian: apt-get install imagemagick libvips-tools
# libjpeg-turbo-progs time). Bounded: a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BENCHTIME=${BENCHTIME:-5x}
SETS=${SETS:-"og set9 standard all"}

if ! command -v /usr/bin/time >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else echo "need /usr/bin/time (apt-get install time)"; exit 1; fi
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== go test -bench (warm process; ms per job, stage split per job, summed over the cards of a job)"
go test ./render -run '^$' -bench 'Render(DecodeOnly|OG|OGBaseline|Set9|Standard|All|OGPrepared|OGUncached)$' -benchtime "$BENCHTIME" |
  awk '/^Benchmark/ {printf "%-28s %7.1f ms", $1, $3/1e6; for (i = 5; i < NF; i += 2) if ($(i+1) ~ /-ms$|cards/) printf "  %s %s", $(i+1), $i; print ""}'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/sharecard" .
cp render/testdata/photos/dandelions-5312x2988-large.jpg "$tmp/progressive.jpg"
photos=progressive
if command -v djpeg >/dev/null && command -v cjpeg >/dev/null; then
  djpeg "$tmp/progressive.jpg" | cjpeg -quality 90 -optimize >"$tmp/baseline.jpg"
  photos="progressive baseline"
elif command -v convert >/dev/null; then
  convert "$tmp/progressive.jpg" -interlace none -quality 90 "$tmp/baseline.jpg"
  photos="progressive baseline"
fi
for p in $photos; do
  cat >"$tmp/$p.yaml" <<YAML
headline: Occupying US forces withdraw from K1 Air Base in northern Iraq, hand it over to Iraqi army
section: Iraq
credit: "Photo: Clemens Engelhardt, CC0"
photo: $p.jpg
YAML
done

# The preset ids and sizes of each set.
"$tmp/sharecard" presets | awk 'NR > 1 {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+x[0-9]+$/) {print $1, $i, ($2 == "*") ? "std" : "-"; break}}' >"$tmp/presets.txt"
ids() {
  case $1 in
  og) echo og ;;
  set9) grep -v '^#' bench/set9.txt | paste -sd, ;;
  standard) awk '$3 == "std" {print $1}' "$tmp/presets.txt" | paste -sd, ;;
  all) awk '{print $1}' "$tmp/presets.txt" | paste -sd, ;;
  esac
}
sizes() { # the sizes of a set, one per line
  local list
  list=$(ids "$1")
  awk -v l=",$list," 'index(l, "," $1 ",") {print $2}' "$tmp/presets.txt"
}

# run_median OUT CMD...: runs CMD RUNS times under GNU time; writes the
# median wall seconds and the median peak RSS (MB) to OUT.
run_median() {
  local out=$1
  shift
  : >"$tmp/times"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -a -o "$tmp/times" "$@" >/dev/null 2>&1
  done
  awk '{w[NR] = $1; m[NR] = $2} END {n = asort(w); asort(m); printf "%.2f %d\n", w[int((n + 1) / 2)], m[int((n + 1) / 2)] / 1024}' "$tmp/times" >"$out"
}

# The baselines, one process per size (a centre crop of the photo,
# resized to fill it), as a script so GNU time covers all of them.
cat >"$tmp/im.sh" <<'SH'
photo=$1; shift
for s in "$@"; do
  w=${s%x*}; h=${s#*x}
  convert -define jpeg:size=$((2 * w))x$((2 * h)) "$photo" -resize "${s}^" -gravity center -extent "$s" -quality 85 "$photo.im.jpg"
done
SH
cat >"$tmp/vips.sh" <<'SH'
photo=$1; shift
for s in "$@"; do
  vipsthumbnail "$photo" --size "$s" --smartcrop centre -o "$photo.vips.jpg[Q=85]"
done
SH
have_im=$(command -v convert >/dev/null && echo 1 || echo 0)
have_vips=$(command -v vipsthumbnail >/dev/null && echo 1 || echo 0)

echo
echo "== whole processes, median of $RUNS runs: wall seconds, peak RSS MB (ImageMagick and vipsthumbnail: plain crops, one process per size)"
printf '%-12s %-6s %5s   %-15s %-15s %-15s %9s %9s\n' photo set cards sharecard ImageMagick vipsthumbnail "sc/IM" "sc/vips"
for p in $photos; do
  for set in $SETS; do
    list=$(ids "$set")
    n=$(sizes "$set" | wc -l)
    run_median "$tmp/sc" "$tmp/sharecard" render --preset "$list" --out "$tmp/out" "$tmp/$p.yaml"
    read -r sw sm <"$tmp/sc"
    im="-" vi="-" rim="-" rvi="-"
    if [ "$have_im" = 1 ]; then
      # shellcheck disable=SC2046
      run_median "$tmp/im" bash "$tmp/im.sh" "$tmp/$p.jpg" $(sizes "$set")
      read -r iw imm <"$tmp/im"
      im="$iw s $imm MB"
      rim=$(awk -v a="$sw" -v b="$iw" 'BEGIN {printf "%.2fx", a / b}')
    fi
    if [ "$have_vips" = 1 ]; then
      # shellcheck disable=SC2046
      run_median "$tmp/vips" bash "$tmp/vips.sh" "$tmp/$p.jpg" $(sizes "$set")
      read -r vw vm <"$tmp/vips"
      vi="$vw s $vm MB"
      rvi=$(awk -v a="$sw" -v b="$vw" 'BEGIN {printf "%.2fx", a / b}')
    fi
    printf '%-12s %-6s %5d   %-15s %-15s %-15s %9s %9s\n' "$p" "$set" "$n" "$sw s $sm MB" "$im" "$vi" "$rim" "$rvi"
  done
done
[ "$have_im" = 1 ] && [ "$have_vips" = 1 ] || echo "(baselines skipped: install imagemagick and libvips-tools from Debian for them)"
echo "targets (issue 13): og <= 0.2 s and <= 1/3 of ImageMagick's; set9 <= 0.6 s; standard <= 1.0 s with peak RSS <= 250 MB"
