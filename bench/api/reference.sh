#!/usr/bin/env bash
# The reference lists over HTTP on a large store: GET /api/v1/funds, targets,
# appeals, events, rates and donors, timed with curl (median of 5) once the
# server has answered its first report. Usage: bench/api/reference.sh STORE
# (an existing SQLite file or postgresql:// URL; a viewer account
# "bench-donor" is added to it if missing). RMIS (default build/src/cli/rmis)
# picks the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { echo "usage: $0 STORE" >&2; exit 2; }
db=$1
rmis=${RMIS:-build/src/cli/rmis}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
RMIS_PASSWORD=benchmark-password $rmis user add bench-donor --role viewer --db "$db" >/dev/null 2>&1 || true
token=$($rmis user token bench-donor --label reference-benchmark --db "$db")
port=$((20000 + RANDOM % 20000))
$rmis serve --db "$db" --listen 127.0.0.1:$port --threads 4 > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
get() { curl -s -o "$work/body" -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"; }
echo "first report (loads the ledger): $(get '/api/v1/report?year=2024') s"
for list in funds targets appeals events rates donors; do
  times=()
  for _ in 1 2 3 4 5; do times+=("$(get "/api/v1/$list")"); done
  echo "$list: $(stat -c %s "$work/body") bytes, median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s"
done
