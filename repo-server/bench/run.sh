#!/usr/bin/env bash
# Benchmark of hoist-repo-server on 127.0.0.1 (issue 6 targets):
#   - 10,000 chart versions stored (1,000 charts x 10 versions) in a local folder
#   - startup time (process start until /health answers, index built)
#   - upload latency p50/p99 (sequential POST /api/charts of new versions)
#   - GET /index.yaml requests/s: plain, gzip, and revalidation (If-None-Match -> 304)
# Needs wrk (apt-get install wrk) and python3. Usage:
#   repo-server/bench/run.sh [path/to/hoist-repo-server]   (default: release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/release/hoist-repo-server}"
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release -p hoist-repo-server)
fi
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
store="$work/store"
uploads="$work/uploads"
# CHARTS x VERSIONS stored, UPLOADS timed uploads, DURATION per wrk run.
python3 "$here/gen.py" "$store" "${CHARTS:-1000}" "${VERSIONS:-10}" "$uploads" "${UPLOADS:-300}"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

t0=$(date +%s.%N)
RUST_LOG=warn "$bin" --storage-local-rootdir "$store" --listen-host 127.0.0.1 --port "$port" &
pid=$!
until curl -fsS "$base/health" >/dev/null 2>&1; do sleep 0.02; done
t1=$(date +%s.%N)
startup=$(python3 -c "print(f'{$t1-$t0:.2f}')")
versions=$(curl -fsS "$base/api/charts" | python3 -c 'import json,sys;print(sum(len(v) for v in json.load(sys.stdin).values()))')
echo "startup: ${startup}s with $versions versions"

python3 "$here/upload.py" "$base" "$uploads" > "$work/upload.txt"
cat "$work/upload.txt"

size=$(curl -fsS "$base/index.yaml" | wc -c)
gzsize=$(curl -fsS -H 'Accept-Encoding: gzip' "$base/index.yaml" | wc -c)
etag=$(curl -fsSI "$base/index.yaml" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
echo "index.yaml: $size bytes, gzip $gzsize bytes, etag $etag"
run() { wrk -t2 -c32 -d"${DURATION:-10s}" "$@" "$base/index.yaml" | awk '/Requests\/sec/{print $2}'; }
plain=$(run)
gz=$(run -H 'Accept-Encoding: gzip')
revalidate=$(run -H "If-None-Match: $etag")
echo "GET /index.yaml req/s: plain $plain, gzip $gz, If-None-Match (304) $revalidate"
