#!/usr/bin/env bash
# A donor's page over HTTP on a large store: GET /api/v1/donors/{id}/summary,
# timed with curl once the server holds the ledger in memory (the first
# report loads it). Usage: bench/api/donor.sh STORE DONOR... (STORE: an
# existing SQLite file or postgresql:// URL; a viewer account "bench-donor" is
# added to it if missing). Prints, per donor, its number of entries and the
# median of 5 requests, the same with open_limit=50 (the first page of its
# open pledges and expectations, as the dashboard asks), and the same for the
# first page of its entries
# (GET /api/v1/entries?donor=...&limit=100, newest first). RMIS (default
# build/src/cli/rmis) picks the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 STORE DONOR..." >&2; exit 2; }
db=$1
shift
source bench/api/viewer_server.sh
count() {
  case "$db" in
    postgres*) psql "$db" -Atc "SELECT count(*) FROM entries WHERE donor = '$1'" ;;
    *) sqlite3 "$db" "SELECT count(*) FROM entries WHERE donor = '$1'" ;;
  esac
}
for donor in "$@"; do
  times=()
  for _ in 1 2 3 4 5; do times+=("$(get "/api/v1/donors/$donor/summary")"); done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  open=$(python3 -c "import json,sys; d=json.load(open('$work/body')); print(len(d['open_pledges']), len(d['expectations']))")
  echo "$donor: $(count "$donor") entries, open pledges and expectations: $open, median $median s"
  times=()
  for _ in 1 2 3 4 5; do times+=("$(get "/api/v1/donors/$donor/summary?open_limit=50")"); done
  echo "  the dashboard's first page (open_limit=50): median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s"
  times=()
  for _ in 1 2 3 4 5; do times+=("$(get "/api/v1/entries?donor=$donor&limit=100&order=desc")"); done
  echo "  its newest 100 entries: median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s"
done
