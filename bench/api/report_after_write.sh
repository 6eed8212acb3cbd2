#!/usr/bin/env bash
# A report right after a write, on a large store: starts `rmis serve`, times
# the first report (it loads the ledger into memory), then three times posts
# a receipt and times the report that follows (the server brings its copy of
# the columns up to date first). Usage:
#   bench/api/report_after_write.sh STORE DONOR FUND [YEAR]
# STORE: an existing SQLite file or postgresql:// URL; an officer account
# "bench-writer" is added to it if missing, and the receipts stay in it.
# RMIS (default build/src/cli/rmis) picks the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 3 ] || { echo "usage: $0 STORE DONOR FUND [YEAR]" >&2; exit 2; }
db=$1 donor=$2 fund=$3 year=${4:-2024}
rmis=${RMIS:-build/src/cli/rmis}
RMIS_PASSWORD=benchmark-password $rmis user add bench-writer --role officer --db "$db" >/dev/null 2>&1 || true
token=$($rmis user token bench-writer --label report-after-write --db "$db")
port=$((20000 + RANDOM % 20000))
$rmis serve --db "$db" --listen 127.0.0.1:$port --threads 4 > /dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
report() { curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/report?year=$year"; }
echo "first report: $(report) s, server RSS $(ps -o rss= -p $server) KiB"
for _ in 1 2 3; do
  curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"kind\":\"receipt\",\"donor\":\"$donor\",\"fund\":\"$fund\",\"amount\":\"10\",\"currency\":\"USD\",\"value_date\":\"$year-05-01\"}" \
    "http://127.0.0.1:$port/api/v1/entries"
  echo "report after a write: $(report) s, server RSS $(ps -o rss= -p $server) KiB"
done
