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
source bench/api/viewer_server.sh
for list in funds targets appeals events rates donors; do
  times=()
  for _ in 1 2 3 4 5; do times+=("$(get "/api/v1/$list")"); done
  echo "$list: $(stat -c %s "$work/body") bytes, median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s"
done
