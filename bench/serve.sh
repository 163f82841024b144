#!/usr/bin/env bash
# Load benchmark of `sharecard serve` on loopback, with wrk as the load
# generator. Bounded: about 1 minute with the defaults (35 s of load).
#
#   Phase A: one signed card, rendered once, then redirected (302) to its
#            stored image without rendering.
#            Target (issue 3): >= 5000 requests/s with p99 < 20 ms on 2 cores.
#   Phase B: distinct cards that are not stored yet, with photos fetched from
#            a static server on loopback, so nearly every request is a render,
#            or a 503 when the render pool and its wait queue are full.
#            Target: only 302 and 503 answers, no timeouts, peak RSS of the
#            server under 1 GB at 64 connections.
#   Phase C: distinct cards (each its own headline, so each is a render) of
#            one photo the server has prepared already (--photo-cache): the
#            cards skip decoding and the subject search. Target (issue 13):
#            >= 40 cards/s on 2 cores at 16 connections, no photo decoded.
#
# The server, wrk and the photo server share this machine's cores (and so
# does anything else running), so the summary splits the CPU used during
# each phase between the server, wrk and everything else.
#
#   bash bench/serve.sh
#   PHASES=A A_SECS=30 bash bench/serve.sh       # only the cached card
#   PHASES=C bash bench/serve.sh                 # only the prepared photo
#   CONNS=128 B_SECS=30 bash bench/serve.sh
#   KEEP=1 bash bench/serve.sh                   # keep the temp folder: logs, wrk output, /metrics
#   SHARECARD_BIN=/tmp/sharecard-patched bash bench/serve.sh   # a given server build
#
# It needs wrk (installed from Debian when missing and run as root), curl
# and the Go toolchain. Exit status 0 when it ran, whatever the figures;
# STRICT=1 makes a missed target exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASES=${PHASES:-"A B C"}       # which phases to run
A_SECS=${A_SECS:-15}            # phase A duration, seconds
B_SECS=${B_SECS:-20}            # phase B duration, seconds
CONNS=${CONNS:-64}              # wrk connections (both phases)
THREADS=${THREADS:-2}           # wrk threads
CARDS=${CARDS:-20000}           # distinct card URLs of phases B and C (walked in a loop)
C_SECS=${C_SECS:-20}            # phase C duration, seconds
C_CONNS=${C_CONNS:-16}          # wrk connections of phase C
C_PHOTO=${C_PHOTO:-dandelions-5312x2988-large.jpg} # phase C's one photo (16 MP)
WRK_TIMEOUT=${WRK_TIMEOUT:-10s} # a response slower than this counts as a timeout
# Photos of phase B, from render/testdata/photos, cycled over the cards:
# 0.1 to 16 megapixels.
PHOTOS=${PHOTOS:-"coffee.jpg chelsea-cat.jpg grace-hopper.jpg astronaut-eileen-collins.jpg paintbrushes-busy.jpg dogs-at-window-tall.jpg picos-de-europa-landscape.jpg dandelions-5312x2988-large.jpg"}

say() { printf '%s\n' "$*" >&2; }
die() { say "serve.sh: $*"; exit 1; }

for tool in curl go; do
  command -v "$tool" >/dev/null || die "needs $tool on PATH"
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing wrk from Debian"
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
  fi
  command -v wrk >/dev/null || die "needs wrk: run 'sudo apt-get install -y wrk' (Debian/Ubuntu) or build it from https://github.com/wg/wrk"
fi

tmp=$(mktemp -d)
server_pid="" photo_pid="" sampler_pid=""
cleanup() {
  for p in $sampler_pid $photo_pid $server_pid; do
    kill "$p" 2>/dev/null || true
  done
  for p in $server_pid; do # SIGTERM drains; give it 5 s, then make sure it is gone
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "${KEEP:-}" ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${SHARECARD_BIN:-}" ]; then # benchmark a given build of the server
  cp "$SHARECARD_BIN" "$tmp/sharecard"
else
  say "== building sharecard"
  go build -o "$tmp/sharecard" .
fi

# A helper, built against this tree: the photo server (a static folder on
# loopback) and the bulk signer of phase B, which signs with the server's own
# SignCardURL (forking `sharecard sign` thousands of times would be too slow).
cat >"$tmp/helper.go" <<'GO'
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/sharecard/sharecard/render/preset"
	"github.com/sharecard/sharecard/server"
)

func main() {
	switch os.Args[1] {
	case "photos": // photos DIR: serve DIR on a free loopback port, print it
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
		fmt.Fprintln(os.Stderr, http.Serve(ln, http.FileServer(http.Dir(os.Args[2]))))
		os.Exit(1)
	case "sign": // sign PHOTO_BASE N "PHOTO...": N distinct card paths
		n, _ := strconv.Atoi(os.Args[3])
		photos := strings.Fields(os.Args[4])
		words := []string{"council", "harbour", "storm", "election", "budget", "school", "river", "market", "strike", "festival"}
		w := bufio.NewWriter(os.Stdout)
		for i := range n {
			q := url.Values{}
			q.Set("headline", fmt.Sprintf("Story %d: the %s and the %s meet again in week %d", i, words[i%10], words[i/10%10], i%52+1))
			q.Set("section", "Bench")
			q.Set("photo", os.Args[2]+"/"+photos[i%len(photos)])
			fmt.Fprintln(w, server.SignCardURL([]byte(os.Getenv("SHARECARD_SIGN_KEY")), "", "standard", "og", preset.FormatJPEG, q))
		}
		w.Flush()
	}
}
GO
go build -o "$tmp/helper" "$tmp/helper.go"
mkdir -p "$tmp/photos"
for p in $PHOTOS $C_PHOTO; do cp "render/testdata/photos/$p" "$tmp/photos/"; done
"$tmp/helper" photos "$tmp/photos" >"$tmp/photos.log" 2>&1 &
photo_pid=$!

export SHARECARD_SIGN_KEY=bench-$RANDOM-$RANDOM
# Port 0: the kernel picks a free port, and the server logs it. The log is
# JSON (stderr is not a terminal), one line per request, as in production.
"$tmp/sharecard" serve --addr 127.0.0.1:0 --data "$tmp/data" \
  --allow-nets 127.0.0.0/8 >"$tmp/server.log" 2>&1 &
server_pid=$!

addr="" photo_port=""
for _ in $(seq 300); do
  [ -z "$addr" ] && addr=$(grep -o '"addr":"[^"]*"' "$tmp/server.log" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
  [ -z "$photo_port" ] && photo_port=$(grep -o 'port [0-9]*' "$tmp/photos.log" 2>/dev/null | head -1 | cut -d' ' -f2 || true)
  if [ -n "$addr" ] && [ -n "$photo_port" ] && curl -fsS -o /dev/null "http://$addr/readyz" 2>/dev/null; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server exited at start-up"; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://$addr/readyz" || { tail -5 "$tmp/server.log" >&2; die "the server is not ready after 30 s"; }
[ -n "$photo_port" ] || die "the photo server did not start"
base="http://$addr"
photo_base="http://127.0.0.1:$photo_port"
say "== server $base (pid $server_pid), photos $photo_base"

# metric NAME LABELS: one sample of /metrics as an integer (0 when absent).
# Labels are in the order Prometheus prints them: sorted by name.
metric() {
  curl -fsS "$base/metrics" | awk -v n="$1" -v l="$2" '$1 == n l {v = $2} END {printf "%d\n", v}'
}
hz=$(getconf CLK_TCK)
server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
box_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; } # all but idle and iowait
# measure NAME WRK-ARGS...: runs wrk into $tmp/wrk-NAME.txt and writes the
# CPU used meanwhile, in cores, to $tmp/cpu-NAME: "server wrk other".
measure() {
  local name=$1 s0 b0 w0 s1 b1 wall wu ws
  shift
  s0=$(server_ticks) b0=$(box_ticks) w0=$(date +%s%N)
  local TIMEFORMAT='%U %S'
  { time wrk "$@" >"$tmp/wrk-$name.txt"; } 2>"$tmp/time-$name"
  s1=$(server_ticks) b1=$(box_ticks) wall=$(($(date +%s%N) - w0))
  read -r wu ws <"$tmp/time-$name"
  awk -v s="$((s1 - s0))" -v b="$((b1 - b0))" -v hz="$hz" -v wall="$wall" -v wu="$wu" -v ws="$ws" 'BEGIN {
    t = wall / 1e9; sv = s / hz / t; wk = (wu + ws) / t; ot = b / hz / t - sv - wk
    printf "%.2f %.2f %.2f\n", sv, wk, (ot < 0 ? 0 : ot) }' >"$tmp/cpu-$name"
  sed 's/^/   /' "$tmp/wrk-$name.txt" >&2
}
# wrk_ms FILE LABEL: a latency of a wrk --latency report in ms: LABEL is a
# percentile ("99%") or "Latency" for the maximum.
wrk_ms() {
  awk -v p="$2" '$1 == p && $2 ~ /^[0-9]/ {v = (p == "Latency") ? $4 : $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 0
    printf "%.1f", v * f; exit}' "$1"
}
wrk_rps() { awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
# wrk_errors FILE: socket errors as "connect read write timeout".
wrk_errors() { awk '/Socket errors/ {gsub(",", ""); e = $4 " " $6 " " $8 " " $10} END {print (e == "" ? "0 0 0 0" : e)}' "$1"; }
verdict() { if [ "$1" = 1 ]; then echo ok; else echo MISSED; fi; }
row() { printf '%-18s %7s %7s %7s %8s %7s   %4s %4s %5s   %s' "$@"; }
rows=() notes=() missed=0

# ---------------------------------------------------------------- phase A
if [[ " $PHASES " == *" A "* ]]; then
  card_a=$("$tmp/sharecard" sign --base-url "$base" --section Bench --headline "Council approves the harbour bridge budget after a long night" --photo "$photo_base/coffee.jpg")
  r0=$(metric sharecard_renders_total '{result="ok"}')
  # A card answers 302 to its immutable image URL; curl -L follows it.
  code=$(curl -sS -L -o "$tmp/a.jpg" -w '%{http_code}' "$card_a")
  [ "$code" = 200 ] || { curl -sS "$card_a" >&2; die "phase A: the first request of the card answered $code"; }
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$card_a")
  r1=$(metric sharecard_renders_total '{result="ok"}')
  [ "$code" = 302 ] && [ "$((r1 - r0))" = 1 ] || die "phase A: the second request was not served from the store (status $code, $((r1 - r0)) renders)"
  say "== phase A: one cached card ($(stat -c %s "$tmp/a.jpg") bytes), wrk -t$THREADS -c$CONNS -d${A_SECS}s"
  measure a -t"$THREADS" -c"$CONNS" -d"${A_SECS}s" --timeout "$WRK_TIMEOUT" --latency "$card_a"
  f=$tmp/wrk-a.txt
  read -r ec er ew et <<<"$(wrk_errors "$f")"
  non2xx=$(awk '/Non-2xx or 3xx/ {print $NF}' "$f")
  errs=$((ec + er + ew + et + ${non2xx:-0}))
  a_rps=$(wrk_rps "$f") a_p99=$(wrk_ms "$f" 99%)
  ok=$(awk -v r="$a_rps" -v p="$a_p99" -v e="$errs" 'BEGIN {print (r >= 5000 && p < 20 && e == 0) ? 1 : 0}')
  [ "$ok" = 1 ] || missed=1
  read -r cs cw co <"$tmp/cpu-a"
  rows+=("$(row "A cached ${A_SECS}s" "$a_rps" "$(wrk_ms "$f" 50%)" "$a_p99" "$(wrk_ms "$f" Latency)" "$errs" "$cs" "$cw" "$co" "$(verdict "$ok") (>= 5000 req/s, p99 < 20 ms)")")
  per_core=$(awk -v r="$a_rps" -v c="$cs" 'BEGIN {printf "%.0f", (c > 0 ? r / c : 0)}')
  notes+=("phase A: a $(stat -c %s "$tmp/a.jpg")-byte card; $per_core req/s per core of server CPU; $(($(metric sharecard_renders_total '{result="ok"}') - r1)) renders during the run (0 expected); non-2xx ${non2xx:-0}, socket errors: connect $ec, read $er, write $ew, timeout $et")
fi

# ---------------------------------------------------------------- phase B
if [[ " $PHASES " == *" B "* ]]; then
  "$tmp/helper" sign "$photo_base" "$CARDS" "$PHOTOS" >"$tmp/cards.txt"
fi
# walk_lua FILE: a wrk script in which each thread walks the card paths of
# FILE from its own starting point and counts the status codes it gets;
# done() sums them over the threads.
walk_lua() {
  cat <<LUA
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  paths = {}
  for line in io.lines("$1") do paths[#paths + 1] = line end
  i = math.floor(tid * #paths / $THREADS)
  codes = {}
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
  local sum = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("codes")) do sum[code] = (sum[code] or 0) + n end
  end
  for code, n in pairs(sum) do io.write(string.format("status %d %d\n", code, n)) end
end
LUA
}
if [[ " $PHASES " == *" B "* ]]; then
  walk_lua "$tmp/cards.txt" >"$tmp/walk.lua"
  # Peak RSS: the kernel's high-water mark, reset first (root or the
  # process's owner may), and VmRSS sampled every 0.2 s.
  echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
  (
    max=0
    while kill -0 "$server_pid" 2>/dev/null; do
      r=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
      if [ "${r:-0}" -gt "$max" ]; then max=$r; echo "$max" >"$tmp/rss-max"; fi
      sleep 0.2
    done
  ) &
  sampler_pid=$!
  ok0=$(metric sharecard_renders_total '{result="ok"}')
  hit0=$(metric sharecard_cache_total '{result="hit",route="card"}')
  say "== phase B: $CARDS distinct uncached cards, photos from loopback, wrk -t$THREADS -c$CONNS -d${B_SECS}s"
  measure b -t"$THREADS" -c"$CONNS" -d"${B_SECS}s" --timeout "$WRK_TIMEOUT" --latency -s "$tmp/walk.lua" "$base"
  sleep 0.3
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status")
  kill "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  f=$tmp/wrk-b.txt
  read -r ec er ew et <<<"$(wrk_errors "$f")"
  total=$(awk '/requests in/ {print $1}' "$f")
  n200=$(awk '$1 == "status" && ($2 == 200 || $2 == 302) {n += $3} END {print n + 0}' "$f")
  n503=$(awk '$1 == "status" && $2 == 503 {print $3}' "$f")
  other=$(awk '$1 == "status" && $2 != 200 && $2 != 302 && $2 != 503 {printf "%s%s: %s", (n++ ? ", " : ""), $2, $3}' "$f")
  nother=$(awk '$1 == "status" && $2 != 200 && $2 != 302 && $2 != 503 {n += $3} END {print n + 0}' "$f")
  renders=$(($(metric sharecard_renders_total '{result="ok"}') - ok0))
  rfail=$(metric sharecard_renders_total '{result="error"}')
  hits=$(($(metric sharecard_cache_total '{result="hit",route="card"}') - hit0))
  rss=$(cat "$tmp/rss-max" 2>/dev/null || echo 0)
  peak=$((${hwm:-0} > rss ? ${hwm:-0} : rss))
  errs=$((ec + er + ew + et + nother))
  ok=$(awk -v e="$errs" -v k="$peak" 'BEGIN {print (e == 0 && k < 1048576) ? 1 : 0}')
  [ "$ok" = 1 ] || missed=1
  read -r cs cw co <"$tmp/cpu-b"
  rows+=("$(row "B uncached ${B_SECS}s" "$(wrk_rps "$f")" "$(wrk_ms "$f" 50%)" "$(wrk_ms "$f" 99%)" "$(wrk_ms "$f" Latency)" "$errs" "$cs" "$cw" "$co" "$(verdict "$ok") (only 302/503, no timeouts, RSS < 1 GB)")")
  pct=$(awk -v a="${n503:-0}" -v t="${total:-0}" 'BEGIN {printf "%.1f", t ? 100 * a / t : 0}')
  notes+=("phase B: ${total:-0} answers: ${n200:-0} x 302 or 200 ($renders renders, $hits from the store), ${n503:-0} x 503 ($pct %), $nother other${other:+ ($other)}")
  notes+=("phase B: socket errors: connect $ec, read $er, write $ew, timeout (> $WRK_TIMEOUT) $et; failed renders since start: $rfail")
  notes+=("phase B: server peak RSS $((peak / 1024)) MB (VmHWM $((${hwm:-0} / 1024)) MB, highest VmRSS sample $((rss / 1024)) MB)")
  curl -fsS "$base/metrics" >"$tmp/metrics-end.txt" || true
  st=$(awk '/^sharecard_render_stage_seconds_sum/ {split($1, a, "\""); s[a[2]] = $2}
    /^sharecard_render_stage_seconds_count/ {split($1, a, "\""); c[a[2]] = $2}
    END {n = split("decode resample detect plan draw encode", k, " "); for (i = 1; i <= n; i++) if (c[k[i]]) printf "%s %.0f, ", k[i], 1000 * s[k[i]] / c[k[i]]}' "$tmp/metrics-end.txt")
  notes+=("phase B: mean render stage times, ms: ${st%, }")
  if [[ " $PHASES " == *" A "* ]]; then
    code=$(curl -sS -o /dev/null -w '%{http_code}' "$card_a")
    [ "$code" = 302 ] || die "after phase B the cached card answers $code"
  fi
fi

# ---------------------------------------------------------------- phase C
if [[ " $PHASES " == *" C "* ]]; then
  # Phase B's headlines with another photo: distinct cards again.
  "$tmp/helper" sign "$photo_base" "$CARDS" "$C_PHOTO" >"$tmp/cards-c.txt"
  walk_lua "$tmp/cards-c.txt" >"$tmp/walk-c.lua"
  # Warm up: the first card prepares the photo (decode, subjects), the
  # second must not decode it again.
  d0=$(metric sharecard_photos_decoded_total '')
  for i in 1 2; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' "$base$(sed -n "$((CARDS - i + 1))p" "$tmp/cards-c.txt")")
    [ "$code" = 302 ] || [ "$code" = 200 ] || die "phase C: warm-up card $i answered $code"
  done
  d1=$(metric sharecard_photos_decoded_total '')
  ok0=$(metric sharecard_renders_total '{result="ok"}')
  say "== phase C: distinct cards of one prepared photo ($C_PHOTO), wrk -t$THREADS -c$C_CONNS -d${C_SECS}s (warm-up decoded the photo $((d1 - d0)) time(s))"
  measure c -t"$THREADS" -c"$C_CONNS" -d"${C_SECS}s" --timeout "$WRK_TIMEOUT" --latency -s "$tmp/walk-c.lua" "$base"
  f=$tmp/wrk-c.txt
  renders=$(($(metric sharecard_renders_total '{result="ok"}') - ok0))
  decodes=$(($(metric sharecard_photos_decoded_total '') - d1))
  secs=$(awk '/requests in/ {v = $4; sub(/,$/, "", v); u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); print v * (u == "m" ? 60 : u == "ms" ? 0.001 : 1)}' "$f")
  cps=$(awk -v r="$renders" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? r / s : 0)}')
  read -r ec er ew et <<<"$(wrk_errors "$f")"
  # 503 is the pool shedding what is over its workers and queue (by
  # default 2 + 8 on 2 cores, under the 16 connections): counted apart.
  nother=$(awk '$1 == "status" && $2 != 200 && $2 != 302 && $2 != 503 {n += $3} END {print n + 0}' "$f")
  n503=$(awk '$1 == "status" && $2 == 503 {print $3}' "$f")
  errs=$((ec + er + ew + et + nother))
  ok=$(awk -v c="$cps" -v d="$decodes" -v e="$errs" 'BEGIN {print (c >= 40 && d == 0 && e == 0) ? 1 : 0}')
  [ "$ok" = 1 ] || missed=1
  read -r cs cw co <"$tmp/cpu-c"
  rows+=("$(row "C prepared c$C_CONNS" "$(wrk_rps "$f")" "$(wrk_ms "$f" 50%)" "$(wrk_ms "$f" 99%)" "$(wrk_ms "$f" Latency)" "$errs" "$cs" "$cw" "$co" "$(verdict "$ok") (>= 40 cards/s, no decode, only 302/503)")")
  per_core=$(awk -v r="$cps" -v c="$cs" 'BEGIN {printf "%.1f", (c > 0 ? r / c : 0)}')
  notes+=("phase C: $renders cards rendered in ${secs} s = $cps cards/s ($per_core per core of server CPU), photos decoded meanwhile: $decodes; photo cache: $(metric sharecard_photo_cache_total '{result="hit"}') hits, $(metric sharecard_photo_cache_total '{result="miss"}') misses; ${n503:-0} answers 503 (the render pool full), not counted as errors")
fi

cat <<EOF

sharecard serve on 127.0.0.1, wrk -t$THREADS -c$CONNS, $(nproc) cores shared by server, wrk and anything else; load average now $(cut -d' ' -f1-3 /proc/loadavg)
                                                                CPU used, cores
phase                req/s  p50 ms  p99 ms   max ms  errors    srv  wrk other   result
EOF
printf '%s\n' "${rows[@]}" "${notes[@]}"
if [ -n "${STRICT:-}" ] && [ "$missed" = 1 ]; then exit 1; fi
