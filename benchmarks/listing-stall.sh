#!/usr/bin/env bash
# How long listing a 10,000-entry directory stalls other connections (issue 9): p99 of small
# keep-alive requests (1 KiB, wrk -c 50) alone, then while a second client lists the big directory in
# a loop, and the cost of one listing build (a cold listing, after the 1 s freshness has run out).
# Event-loop mode, the worst case: one thread serves everyone. Loopback only, bounded in time.
#   DURATION (s, default 10)  ENTRIES (default 10000)  SPINDLE (default .build/release/spindle)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ENTRIES=${ENTRIES:-10000}
SPINDLE=${SPINDLE:-.build/release/spindle}
PORT=${PORT:-18193}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spindle-listing.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
command -v wrk >/dev/null || { echo "listing-stall: needs wrk (apt-get install wrk)" >&2; exit 1; }
[ -x "$SPINDLE" ] || { echo "listing-stall: build first (make release)" >&2; exit 1; }

DOCROOT=$WORK/www
mkdir -p "$DOCROOT/big"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$DOCROOT/small.txt"
# Names of realistic length, sizes 0 to 9 KiB.
(cd "$DOCROOT/big" && for i in $(seq 1 "$ENTRIES"); do
    printf '%*s' $((i % 10 * 1024)) '' > "artefact-$i-$(printf '%08x' $((i * 2654435761 % 4294967296))).tar.gz"
done)

# Never-listed copies (hard links: same files, other directories) for the cold builds.
for n in $(seq 1 $((DURATION + 6))); do cp -al "$DOCROOT/big" "$DOCROOT/cold$n"; done

"$SPINDLE" --root "$DOCROOT" --listen 127.0.0.1:$PORT --access-log off --listing 2> "$WORK/stderr" &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT

echo "== listing: $(curl -s "$URL/big/" | wc -c) bytes of HTML, $(curl -s "$URL/big/?format=json" | wc -c) of JSON"
echo "== one cold build (a directory never listed: read, sort, render on the serving thread), 5 samples, seconds:"
for n in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "$URL/cold$n/"; done
echo "== one warm listing (asked for 1.1 s after the previous one), 5 samples, seconds:"
for _ in 1 2 3 4 5; do sleep 1.1; curl -s -o /dev/null -w '%{time_total}\n' "$URL/big/"; done

small() {
    wrk -t1 -c50 -d"${DURATION}s" --latency "$URL/small.txt" > "$WORK/small.txt"
    printf '   %-62s p50 %8s  p99 %8s  max %8s  %s req/s\n' "$1" \
        "$(awk '$1 == "50%" { print $2 }' "$WORK/small.txt")" "$(awk '$1 == "99%" { print $2 }' "$WORK/small.txt")" \
        "$(awk '$1 == "Latency" { print $4 }' "$WORK/small.txt")" "$(awk '/Requests\/sec/ { print $2 }' "$WORK/small.txt")"
}
# A listing client in the background for the length of one measurement: $1 = seconds between listings.
lister() {
    (end=$((SECONDS + DURATION + 1)); n=0
     while [ $SECONDS -lt $end ]; do curl -s -o /dev/null "$URL/big/"; n=$((n + 1)); sleep "$1"; done
     echo "$n" > "$WORK/listed") &
    pids+=($!)
}

echo "== p99 of small requests (wrk -t1 -c50 -d${DURATION}s --latency $URL/small.txt), each beside a baseline:"
small "alone"
lister 0.1; sleep 0.5
small "while /big/ is listed every 100 ms (kept warm off the loop)"
wait "${pids[-1]}"; echo "      ($(cat "$WORK/listed") listings)"
small "alone"
lister 1.05; sleep 0.5
small "while /big/ is listed every 1.05 s (kept warm off the loop)"
wait "${pids[-1]}"; echo "      ($(cat "$WORK/listed") listings)"
small "alone"
cold=5
(end=$((SECONDS + DURATION + 1))
 while [ $SECONDS -lt $end ]; do cold=$((cold + 1)); curl -s -o /dev/null "$URL/cold$cold/"; sleep 1; done
 echo "$((cold - 5))" > "$WORK/listed") &
pids+=($!); sleep 0.5
small "while a never-listed directory is listed every second (built on the loop)"
wait "${pids[-1]}"; echo "      ($(cat "$WORK/listed") listings)"
small "alone"
wrk -t1 -c1 -d"$((DURATION + 1))s" "$URL/big/" > "$WORK/loop.txt" &
pids+=($!); sleep 0.5
small "while one keep-alive client lists /big/ back to back"
wait "${pids[-1]}" || true
echo "      ($(grep -E 'requests in' "$WORK/loop.txt" | sed 's/^ *//'))"
