#!/usr/bin/env bash
# Load on the API from a second process on loopback, measured with wrk:
# durable receipts per second with p50/p99 latency, and report requests per
# second. Usage: bench/api/run.sh [STORE_DATASET_DIR] [SECONDS]
# The store is made fresh from the dataset (default: the UN-Habitat sample): an
# SQLite file, or, when RMIS_BENCH_DB names an empty PostgreSQL database
# (postgresql://user@host:port/db), that database.
set -euo pipefail
cd "$(dirname "$0")/../.."
dataset=${1:-data/samples/unhabitat-2021}
seconds=${2:-10}
rmis=build/src/cli/rmis
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

db=${RMIS_BENCH_DB:-$work/bench.db}
$rmis init --db "$db" >/dev/null
/usr/bin/time -f "import: %e s, peak %M KiB" $rmis import --db "$db" "$dataset"
RMIS_PASSWORD=benchmark-password $rmis user add bench --role officer --db "$db" >/dev/null
export RMIS_TOKEN=$($rmis user token bench --label benchmark --db "$db")
# Receipts go to the first Member State and the first fund of the dataset.
query() {
  case "$db" in
    postgres*) psql "$db" -Atc "$1" ;;
    *) sqlite3 "$db" "$1" ;;
  esac
}
export RMIS_DONOR=$(query "SELECT id FROM donors WHERE type = 'member_state' ORDER BY id LIMIT 1")
export RMIS_FUND=$(query "SELECT id FROM funds WHERE category = 'core' ORDER BY id LIMIT 1")
port=$((20000 + RANDOM % 20000))
$rmis serve --db "$db" --listen 127.0.0.1:$port --threads 8 > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
# The first report loads the ledger into memory; time it apart.
echo "first report (loads the ledger into memory): $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $RMIS_TOKEN" "http://127.0.0.1:$port/api/v1/report?year=2021&as_of=2021-06-30") s"

echo "== durable receipts: POST /api/v1/entries, 2 wrk threads, 8 connections, ${seconds}s"
wrk -t2 -c8 -d${seconds}s --latency -s bench/api/post_receipt.lua "http://127.0.0.1:$port" 2>&1 \
  | grep -E "Requests/sec|50%|99%|requests in|Non-2xx|errors"
echo "== report: GET /api/v1/report?year=2021&as_of=2021-06-30, 2 threads, 4 connections, ${seconds}s"
wrk -t2 -c4 -d${seconds}s --latency -s bench/api/get_report.lua "http://127.0.0.1:$port" 2>&1 \
  | grep -E "Requests/sec|50%|99%|requests in|Non-2xx|errors"
echo "== report, one connection at a time (latency of one report), ${seconds}s"
wrk -t1 -c1 -d${seconds}s --latency -s bench/api/get_report.lua "http://127.0.0.1:$port" 2>&1 \
  | grep -E "Requests/sec|50%|99%|requests in|Non-2xx|errors"
$rmis audit verify --db "$db"
echo "entries now: $(query 'SELECT count(*) FROM entries')"
