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

"$SPINDLE" --root "$DOCROOT" --listen 127.0.0.1:$PORT --access-log off --listing 2> "$WORK/stderr" &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT

echo "== listing: $(curl -s "$URL/big/" | wc -c) bytes of HTML, $(curl -s "$URL/big/?format=json" | wc -c) of JSON"
echo "== one cold build (first request after the 1 s freshness ran out), 5 samples, seconds:"
for _ in 1 2 3 4 5; do sleep 1.1; curl -s -o /dev/null -w '%{time_total}\n' "$URL/big/"; done
echo "== one cached listing, 5 samples, seconds:"
for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "$URL/big/"; done

echo "== small requests alone: wrk -t1 -c50 -d${DURATION}s --latency $URL/small.txt"
wrk -t1 -c50 -d"${DURATION}s" --latency "$URL/small.txt" | grep -E 'Latency|50%|90%|99%|Requests/sec'

echo "== small requests while one client lists /big/ in a loop (keep-alive, each listing rebuilt once a second)"
wrk -t1 -c1 -d"$((DURATION + 2))s" "$URL/big/" > "$WORK/listing.txt" &
pids+=($!)
sleep 1
wrk -t1 -c50 -d"${DURATION}s" --latency "$URL/small.txt" | grep -E 'Latency|50%|90%|99%|Requests/sec'
wait "${pids[-1]}" || true
echo "   listings served meanwhile: $(grep -E 'requests in' "$WORK/listing.txt")"

echo "== small requests while one client cycles through all 12 forms (6 sorts x HTML/JSON): up to 12 builds a second"
cat > "$WORK/forms.lua" <<'EOF'
local forms = {}
for _, sort in ipairs({"name", "size", "mtime"}) do
  for _, order in ipairs({"asc", "desc"}) do
    for _, format in ipairs({"html", "json"}) do
      forms[#forms + 1] = "/big/?sort=" .. sort .. "&order=" .. order .. "&format=" .. format
    end
  end
end
local i = 0
request = function() i = i % #forms + 1; return wrk.format("GET", forms[i]) end
EOF
wrk -t1 -c1 -d"$((DURATION + 2))s" -s "$WORK/forms.lua" "$URL" > "$WORK/forms.txt" &
pids+=($!)
sleep 1
wrk -t1 -c50 -d"${DURATION}s" --latency "$URL/small.txt" | grep -E 'Latency|50%|90%|99%|Requests/sec'
wait "${pids[-1]}" || true
echo "   listings served meanwhile: $(grep -E 'requests in' "$WORK/forms.txt")"
