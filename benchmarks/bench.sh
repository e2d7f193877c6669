#!/usr/bin/env bash
# make bench: wrk against Spindle and, when installed, nginx serving the same files in the same run,
# so that the ratios mean something on a shared, noisy machine. Loopback only, bounded in time.
#   DURATION (s, default 8)  ROUNDS (default 2)  SPINDLE (binary, default .build/release/spindle)
#   WORKERS (default 1): Spindle's --workers and nginx's worker_processes, the same number for both.
# Installs wrk from Debian's packages if it is missing. nginx is optional (apt-get install nginx-light),
# but without it there is nothing to compare with: one line says so and Spindle is measured alone.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
WORKERS=${WORKERS:-1}
SPINDLE=${SPINDLE:-.build/release/spindle}
PORT_SPINDLE=${PORT_SPINDLE:-18191}
PORT_NGINX=${PORT_NGINX:-18190}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/spindle-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk with apt-get (each step bounded to 5 minutes)" >&2
    apt_get() { DEBIAN_FRONTEND=noninteractive timeout 300 apt-get "$@" >/dev/null 2>&1; }
    # A fresh image has no package lists: update only when the first attempt fails.
    apt_get install -y -qq wrk || { apt_get update -qq && apt_get install -y -qq wrk; } || true
    command -v wrk >/dev/null || {
        echo "bench: could not install wrk (apt-get needs root and the network); install it and run again" >&2
        exit 1
    }
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The docroot: the same files as ../shared/bench's workloads W1-W3 (1 KiB, 256 KiB).
DOCROOT=$WORK/www
mkdir -p "$DOCROOT"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$DOCROOT/index.html"
head -c 262144 /dev/urandom > "$DOCROOT/medium.js"
# nginx's worker drops to an unprivileged user: the files must be readable by anyone.
chmod -R a+rX "$WORK"

wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

"$SPINDLE" --root "$DOCROOT" --listen 127.0.0.1:$PORT_SPINDLE --access-log off --workers "$WORKERS" 2> "$WORK/spindle.log" &
pids+=($!); SPINDLE_PID=$!
wait_port $PORT_SPINDLE

NGINX_PID=
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
    mkdir -p "$WORK/nginx"
    cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes $WORKERS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 16384; use epoll; }
http {
    access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_requests 100000; keepalive_timeout 300s;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    types { text/html html; application/javascript js; }
    server { listen 127.0.0.1:$PORT_NGINX; root $DOCROOT; }
}
CONF
    "$(command -v nginx || echo /usr/sbin/nginx)" -c "$WORK/nginx/nginx.conf" &
    pids+=($!); NGINX_PID=$!
    wait_port $PORT_NGINX
else
    echo "bench: nginx not found, measuring Spindle alone (for the comparison: apt-get install nginx-light)" >&2
fi

# Both servers must answer 200 with the right length before any number means anything.
for port in $PORT_SPINDLE ${NGINX_PID:+$PORT_NGINX}; do
    for f in index.html medium.js; do
        got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/$f")
        want="200 $(stat -c %s "$DOCROOT/$f")"
        [ "$got" = "$want" ] || { echo "port $port /$f: got '$got', want '$want'" >&2; exit 1; }
    done
done

cpu_ticks() { awk '{print $14+$15}' /proc/"$1"/stat; }
tree_cpu() { local t=0; for p in "$1" $(pgrep -P "$1" || true); do t=$((t + $(cpu_ticks "$p"))); done; echo $t; }

# run NAME PORT PID WORKLOAD -> prints "req/s MiB/s cpu%"
run() {
    local port=$2 pid=$3 workload=$4 extra=() path=/index.html
    case $workload in
        W1) ;;
        W2) extra=(-H "Connection: close") ;;
        W3) path=/medium.js ;;
    esac
    local before; before=$(tree_cpu "$pid")
    local out; out=$(wrk -t1 -c50 -d"${DURATION}"s "${extra[@]}" "http://127.0.0.1:$port$path")
    local after; after=$(tree_cpu "$pid")
    local rps; rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    local tput; tput=$(awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) v*=1024; else if (v ~ /KB/) v/=1024; sub(/[A-Za-z]+/, "", v); print v+0}' <<< "$out")
    local cpu; cpu=$(( (after - before) * 100 / $(getconf CLK_TCK) / DURATION ))
    # Server CPU per request (all its processes), the figure that holds when wrk is the limit.
    local us; us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v r="$rps" -v d="$DURATION" \
        'BEGIN {printf "%.2f", (r > 0) ? t / hz * 1e6 / (r * d) : 0}')
    echo "$rps $tput $cpu $us"
}

echo "workers: $WORKERS (Spindle --workers, nginx worker_processes)"
printf '%-4s %-8s %12s %10s %6s %10s\n' load server req/s MiB/s cpu% µs/req
declare -A best
for w in W1 W2 W3; do
    for r in $(seq 1 "$ROUNDS"); do
        for s in nginx spindle; do
            if [ "$s" = nginx ]; then [ -n "$NGINX_PID" ] || continue; set -- $(run nginx $PORT_NGINX $NGINX_PID $w)
            else set -- $(run spindle $PORT_SPINDLE $SPINDLE_PID $w); fi
            printf '%-4s %-8s %12s %10s %6s %10s\n' "$w" "$s" "$1" "$2" "$3" "$4"
            key="$w-$s"; prev=${best[$key]:-0}
            best[$key]=$(awk -v a="$1" -v b="$prev" 'BEGIN {print (a > b) ? a : b}')
        done
    done
done
if [ -n "$NGINX_PID" ]; then
    echo
    echo "best of $ROUNDS rounds, spindle / nginx:"
    for w in W1 W2 W3; do
        awk -v w=$w -v s="${best[$w-spindle]}" -v n="${best[$w-nginx]}" 'BEGIN {printf "%s %.2f\n", w, s / n}'
    done
fi
echo "max RSS of spindle: $(awk '/VmHWM/ {print $2, $3}' /proc/$SPINDLE_PID/status)"
