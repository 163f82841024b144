#!/usr/bin/env bash
# Hostile input and overload (issue 9): builds `sharecard` from the working
# tree and from a baseline revision, then runs bench/hostile (a Go load
# client) against each: every reproduction of the issue on a fresh
# `sharecard serve` bound to 127.0.0.1, with its answer codes, time to
# answer and the server's peak RSS. Prints a markdown table (stdout);
# progress goes to stderr.
#
#   bash bench/hostile.sh              # baseline 5858197 (main before the issue 9 work) vs the working tree
#   bash bench/hostile.sh 89ebcc2      # another baseline revision
#   BASE=none bash bench/hostile.sh    # the working tree only
#   ONLY=1,6,9 bash bench/hostile.sh   # some scenarios (ids of the table)
#   SHORT=1 bash bench/hostile.sh      # halve every time window (a quick check)
#
# Bounded: every scenario caps its requests and seconds (the longest, the
# SIGTERM drain, gives the server 150 s to exit); the whole run is killed
# after 15 minutes. About 5 minutes for both builds on 2 cores. Loopback
# only: servers listen on 127.0.0.1, the client's dialer refuses any other
# address, and photo URLs point at a server of the client on 127.0.0.1.
# The baseline's source is exported with `git archive` (no worktree, no
# change to the repository). Needs Go and about 4 GB of free memory (the
# baseline decodes a 100 MP JPEG bomb twice at once).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-${BASE:-5858197}}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
say "== machine: $(nproc) cores, $(free -m | awk '/^Mem:/ {print $2 " MB memory, " $7 " MB available"}')"
args=()
if [ "$base" != none ]; then
  rev=$(git rev-parse --short --verify "$base^{commit}")
  say "== building the baseline, $rev"
  mkdir "$tmp/base-src"
  git archive "$rev" | tar -x -C "$tmp/base-src"
  (cd "$tmp/base-src" && go build -o "$tmp/sharecard-base" .)
  args+=(-base "$tmp/sharecard-base")
fi
say "== building the working tree and bench/hostile"
go build -o "$tmp/sharecard-now" .
go build -o "$tmp/hostile" ./bench/hostile
args+=(-now "$tmp/sharecard-now" -work "$tmp/work")
[ -n "${ONLY:-}" ] && args+=(-only "$ONLY")
[ -n "${SHORT:-}" ] && args+=(-short)
mkdir "$tmp/work"
timeout -k 10 900 "$tmp/hostile" "${args[@]}"
[ "$base" != none ] && say "baseline: $rev; now: the working tree ($(git rev-parse --short HEAD) + changes)"
exit 0
