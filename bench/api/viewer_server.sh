# Sourced by the read benchmarks (donor.sh, reference.sh) with $db set to a
# store: adds a viewer account "bench-donor" if missing, starts `rmis serve`
# on a free port (stopped when the script exits), and defines get PATH, which
# prints the request's time in seconds and leaves the answer in $work/body.
# The first report, which loads the ledger, is timed apart. RMIS (default
# build/src/cli/rmis) picks the binary.
rmis=${RMIS:-build/src/cli/rmis}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
RMIS_PASSWORD=benchmark-password $rmis user add bench-donor --role viewer --db "$db" >/dev/null 2>&1 || true
token=$($rmis user token bench-donor --label read-benchmark --db "$db")
port=$((20000 + RANDOM % 20000))
$rmis serve --db "$db" --listen 127.0.0.1:$port --threads 4 > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
get() { curl -s -o "$work/body" -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"; }
echo "first report (loads the ledger): $(get '/api/v1/report?year=2024') s"
