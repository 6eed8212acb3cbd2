#!/usr/bin/env bash
# rmis against SQL engines (issue 6, item 3; docs/performance.md, "Figures at
# scale: rmis against SQL engines").
#
#   bench/engines/run.sh [ENTRIES] [DONORS]      (defaults 10000000 and 100000;
#                                                 1000000 20000 for a quick run)
#
# On one dataset (`rmis generate --entries ENTRIES --donors DONORS --seed SEED`)
# it computes the same report figures for one year as of one date with:
#   rmis        `rmis report --db STORE --year Y --as-of D --format json`, timed
#               as a whole process ("cold"), and warm (the store open) with
#               report_bench (bench/report) when it is built, else `rmis report`
#               again (and says so);
#   SQLite      figures.sql in the `sqlite3` shell, on the entries exported from
#               the rmis store, without and then with a covering index;
#   PostgreSQL  15, a throwaway server (initdb + pg_ctl in a temporary directory)
#               loaded with COPY;
#   DuckDB      the npm package @duckdb/node-api (duckdb.mjs; `npm ci` here first).
# Every engine reads the same rows: the rmis store's entries with the USD cents
# rmis computed on import, exported once to CSV (settles/reverses as the seq of
# the entry they name), and the dataset's funds.csv. The five figures are those
# of figures.sql. compare.mjs then checks that every engine's figures equal
# rmis's to the cent (exit 1 and the differences otherwise) and prints the
# table of times and ratios, including a memory-bandwidth bound (ENTRIES × 16
# bytes at the single-core read bandwidth that bandwidth.c measures). Each time
# is measured as wall time and as CPU time (the machine is often shared: the CPU
# time is the steadier figure). Exit status: 0 when every engine agrees with
# rmis; 1, after listing them, when any figure differs; 2 when a tool or the
# data cannot be used; a step that fails stops the run with its own status.
#
# Environment (all optional):
#   BUILD    the rmis build directory (default: build); RMIS its rmis binary
#   REPORT_BENCH  the report_bench binary (default: $BUILD/bench/report_bench)
#   SEED     the generator's seed (default 7)
#   YEAR, AS_OF  the report's year and date (default: the latest full year in
#            the data, as of its 30 June)
#   RUNS     how many times each query runs (default 5; the median is used)
#   WORK     where the dataset, the rmis store, the export and the SQLite
#            database are kept for reruns (default /tmp/rmis-bench-engines-
#            ENTRIES-DONORS-SEED); remove it to start again
#   ENGINES  which of "sqlite postgres duckdb" to run (default: all)
#   BANDWIDTH_GBS  use this bandwidth instead of measuring it
# Needs: sqlite3, PostgreSQL 15 in /usr/lib/postgresql/15/bin (PG_BIN), node,
# cc, /usr/bin/time (scripts/install-deps.sh installs them). Run it by hand;
# `make test` does not. At 10 million entries a first run takes 20–40 minutes on
# the 2-core machine (the import alone 7–15) and keeps about 7 GB in WORK (the
# dataset, the store, the export and the SQLite database) for reruns, which take
# 10–20 minutes.
set -euo pipefail

ENTRIES=${1:-10000000}
DONORS=${2:-100000}
SEED=${SEED:-7}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RMIS=${RMIS:-$BUILD/src/cli/rmis}
REPORT_BENCH=${REPORT_BENCH:-$BUILD/bench/report_bench}
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/rmis-bench-engines-$ENTRIES-$DONORS-$SEED}
ENGINES=${ENGINES:-sqlite postgres duckdb}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

say() { echo "== $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'; }
wants() { [[ " $ENGINES " == *" $1 "* ]]; }

[ -x "$RMIS" ] || die "no rmis at $RMIS: build it (cmake --build $BUILD --target rmis) or set RMIS"
command -v sqlite3 > /dev/null || die "sqlite3 is missing (scripts/install-deps.sh installs it)"
command -v node > /dev/null || die "node is missing (scripts/install-deps.sh installs it)"
if wants duckdb && [ ! -d "$HERE/node_modules/@duckdb/node-api" ]; then
  die "@duckdb/node-api is not installed: (cd bench/engines && npm ci)"
fi
if wants postgres && [ ! -x "$PG_BIN/initdb" ]; then die "PostgreSQL 15 is missing in $PG_BIN (postgresql-15)"; fi

mkdir -p "$WORK"
chmod 755 "$WORK"  # PostgreSQL's server reads the CSVs from here
DATA=$WORK/data
STORE=$WORK/store.db
EXPORT=$WORK/entries-usd.csv
TIMES=$WORK/times.tsv
: > "$TIMES"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# record ENGINE MEASURE WALL_SECONDS [CPU_SECONDS]
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >> "$TIMES"; }

# --- The dataset and the rmis store (kept for reruns). ----------------------
if [ ! -f "$DATA/.complete" ]; then
  say "rmis generate --entries $ENTRIES --donors $DONORS --seed $SEED"
  rm -rf "$DATA"
  "$RMIS" generate --entries "$ENTRIES" --donors "$DONORS" --seed "$SEED" -o "$DATA" > /dev/null
  touch "$DATA/.complete"
fi
if [ ! -f "$WORK/import.tsv" ]; then
  say "rmis import (once; kept in $STORE)"
  rm -f "$STORE" "$STORE-wal" "$STORE-shm" "$EXPORT"
  "$RMIS" init --db "$STORE" > /dev/null
  /usr/bin/time -f '%e %M' -o "$WORK/import.time" "$RMIS" import --db "$STORE" "$DATA" > /dev/null
  read -r seconds kib < "$WORK/import.time"
  printf 'load\t%s\nload_peak_kib\t%s\n' "$seconds" "$kib" > "$WORK/import.tsv"
fi
record rmis load "$(awk -F'\t' '$1 == "load" { print $2 }' "$WORK/import.tsv")"

# --- The year and the date. -------------------------------------------------
if [ -z "${YEAR:-}" ]; then
  # The latest year whose 31 December is in the data.
  YEAR=$(sqlite3 "$STORE" "SELECT CAST(strftime('%Y', d) AS INTEGER) - (strftime('%m-%d', d) <> '12-31')
                           FROM (SELECT date(MAX(value_date) * 86400, 'unixepoch') AS d FROM entries)")
fi
AS_OF=${AS_OF:-$YEAR-06-30}
day() { sqlite3 :memory: "SELECT CAST(julianday('$1') - julianday('1970-01-01') AS INTEGER)"; }
AS_OF_DAY=$(day "$AS_OF")
FIRST_DAY=$(day "$YEAR-01-01")
LAST_DAY=$(day "$YEAR-12-31")
say "year $YEAR as of $AS_OF"

# --- The entries as the store holds them, for every SQL engine. ------------
if [ ! -f "$EXPORT" ]; then
  say "exporting the store's entries to $EXPORT"
  sqlite3 -csv -header "$STORE" > "$EXPORT.part" <<'SQL'
SELECT e.seq, e.id, e.kind, e.donor, e.fund, e.currency, e.amount_minor, e.usd_cents,
       e.value_date AS value_day, e.recorded_at, e.attributed_year, e.region, e.country, e.programme,
       e.appeal, e.channel, e.event, s.seq AS settles, r.seq AS reverses, e.probability_ppm
FROM entries e LEFT JOIN entries s ON s.id = e.settles LEFT JOIN entries r ON r.id = e.reverses
ORDER BY e.seq;
SQL
  mv "$EXPORT.part" "$EXPORT"
fi
chmod 644 "$EXPORT" "$DATA/funds.csv"
ROWS=$(sqlite3 "$STORE" "SELECT COUNT(*) FROM entries")
# The open part of a pledge is usd_cents * open / amount in 64-bit integers in
# SQL (rmis uses 128 bits): the products must fit, or the SQL would be wrong.
BIGGEST=$(sqlite3 "$STORE" "SELECT MAX(CAST(usd_cents AS REAL) * amount_minor) < 4.6e18 FROM entries WHERE kind = 'pledge'")
[ "$BIGGEST" = 1 ] || die "a pledge's usd_cents * amount_minor does not fit in 63 bits: the SQL cannot compute it"

# --- The query, for each dialect. -------------------------------------------
fill() {
  sed -e "s/@YEAR@/$YEAR/g" -e "s/@ASOF@/$AS_OF_DAY/g" -e "s/@FIRST@/$FIRST_DAY/g" -e "s/@LAST@/$LAST_DAY/g" \
      -e "s|IDIV|$1|g" "$HERE/figures.sql"
}
fill / > "$WORK/figures-sql.sql"
fill // > "$WORK/figures-duckdb.sql"

# --- rmis. ------------------------------------------------------------------
say "rmis report, once and then $RUNS times (each a new process)"
for run in $(seq 0 "$RUNS"); do
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/report.time" \
    "$RMIS" report --db "$STORE" --year "$YEAR" --as-of "$AS_OF" --format json > "$WORK/rmis.json"
  read -r seconds user system kib < "$WORK/report.time"
  # The first report after an import may do one-time work (and meets a
  # colder file cache): recorded apart.
  record rmis "$([ "$run" = 0 ] && echo first || echo cold)" "$seconds" "$(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }')"
done
REPORT_PEAK_KIB=$kib
if [ -x "$REPORT_BENCH" ]; then
  say "report_bench (the store opened once, the report timed repeatedly)"
  "$REPORT_BENCH" --store="$STORE" --year="$YEAR" --as_of="$AS_OF" '--benchmark_filter=^BM_Report(/|$)' \
    --benchmark_repetitions="$RUNS" --benchmark_report_aggregates_only=false \
    --benchmark_format=json --benchmark_out="$WORK/report_bench.json" > "$WORK/report_bench.log" 2>&1
  node -e '
    const runs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).benchmarks
      .filter((b) => b.run_type === "iteration");
    const scale = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 };
    for (const b of runs) {
      console.log(`rmis\twarm\t${b.real_time * scale[b.time_unit]}\t${b.cpu_time * scale[b.time_unit]}`);
    }
  ' "$WORK/report_bench.json" >> "$TIMES"
  awk '$1 == "cold_open_and_first_report_s" { print "rmis\topen\t" $2 }' "$WORK/report_bench.log" >> "$TIMES"
  WARM_SOURCE="report_bench BM_Report (Google Benchmark, $RUNS repetitions; the store opened once)"
else
  WARM_SOURCE="report_bench is not built ($REPORT_BENCH): these are the cold rmis report processes again"
  awk -F'\t' '$1 == "rmis" && $2 == "cold" { print "rmis\twarm\t" $3 "\t" $4 }' "$TIMES" >> "$TIMES"
fi

# Runs a SQL script in the sqlite3 shell with the timer on; the figures of the
# last run go to $2, the timings to times.tsv under engine $1.
sqlite_timed() {
  local engine=$1 figures=$2 script=$3 output
  output=$(sqlite3 -batch -csv "$WORK/sqlite.db" < "$script")
  # "Run Time: real R user U sys S": the wall time, and the CPU time (user + sys).
  grep '^Run Time: real' <<< "$output" | awk -v e="$engine" '{ print e "\tquery\t" $4 "\t" $6 + $8 }' >> "$TIMES"
  # Each run prints its rows then its time: keep the rows of the last run.
  awk '/^Run Time:/ { last = rows; rows = ""; next } { rows = rows $0 "\n" } END { printf "%s", last }' \
    <<< "$output" > "$figures"
}

# --- SQLite. ----------------------------------------------------------------
if wants sqlite; then
  if [ ! -f "$WORK/sqlite.tsv" ]; then
    say "loading the export into SQLite ($WORK/sqlite.db)"
    rm -f "$WORK/sqlite.db"
    start=$(now)
    sqlite3 -batch "$WORK/sqlite.db" > /dev/null <<SQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE entries (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, donor TEXT NOT NULL, fund TEXT NOT NULL,
  currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, usd_cents INTEGER NOT NULL, value_day INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL, attributed_year INTEGER NOT NULL, region TEXT, country TEXT, programme TEXT,
  appeal TEXT, channel TEXT, event TEXT, settles INTEGER, reverses INTEGER, probability_ppm INTEGER);
CREATE TABLE funds (id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL);
.import --csv --skip 1 $EXPORT entries
.import --csv --skip 1 $DATA/funds.csv funds
-- The shell imports an empty field as '', not NULL.
UPDATE entries SET settles = NULL WHERE settles = '';
UPDATE entries SET reverses = NULL WHERE reverses = '';
ANALYZE;
SQL
    printf 'load\t%s\n' "$(since "$start")" > "$WORK/sqlite.tsv"
  fi
  record sqlite load "$(cut -f2 "$WORK/sqlite.tsv")"
  sqlite3 "$WORK/sqlite.db" "DROP INDEX IF EXISTS entries_cover"
  say "SQLite, $RUNS runs"
  # As much page cache as PostgreSQL's shared_buffers below, temporary tables in
  # memory; the runs share one connection, so all but the first find the pages
  # in SQLite's own cache.
  { echo "PRAGMA cache_size = -2097152;"; echo "PRAGMA temp_store = MEMORY;"; echo ".timer on"
    for _ in $(seq "$RUNS"); do cat "$WORK/figures-sql.sql"; done; } > "$WORK/sqlite-runs.sql"
  sqlite_timed sqlite "$WORK/figures-sqlite.csv" "$WORK/sqlite-runs.sql"
  say "SQLite with a covering index"
  start=$(now)
  # Every column the query reads, led by what it filters on: the scans read the
  # narrow index instead of the table's rows.
  sqlite3 "$WORK/sqlite.db" "CREATE INDEX entries_cover ON entries
    (kind, value_day, attributed_year, fund, donor, region, usd_cents, amount_minor, settles, reverses); ANALYZE"
  record sqlite-index load "$(since "$start")"
  sqlite_timed sqlite-index "$WORK/figures-sqlite-index.csv" "$WORK/sqlite-runs.sql"
fi

# --- PostgreSQL 15: a throwaway server. --------------------------------------
if wants postgres; then
  PG_DIR=$(mktemp -d /tmp/rmis-bench-pg-XXXXXX)
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_DIR"
    as_pg=(runuser -u postgres --)
  fi
  stop_pg() {
    "${as_pg[@]}" "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m fast -w > /dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  }
  trap stop_pg EXIT
  say "PostgreSQL 15 in $PG_DIR"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C -N > "$PG_DIR/initdb.log"
  # Unix socket only (no port to find). fsync off: a throwaway copy, and the
  # load is not what is measured. Memory for the query's hashes and sorts.
  "${as_pg[@]}" "$PG_BIN/pg_ctl" start -w -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
    -o "-c listen_addresses='' -k $PG_DIR -c shared_buffers=2GB -c work_mem=512MB -c fsync=off \
        -c full_page_writes=off -c synchronous_commit=off -c max_wal_size=8GB -c autovacuum=off" > /dev/null
  psql_run() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -U postgres -d postgres "$@"; }
  start=$(now)
  psql_run <<SQL
CREATE TABLE entries (
  seq bigint PRIMARY KEY, id text NOT NULL, kind text NOT NULL, donor text NOT NULL, fund text NOT NULL,
  currency text NOT NULL, amount_minor bigint NOT NULL, usd_cents bigint NOT NULL, value_day integer NOT NULL,
  recorded_at bigint NOT NULL, attributed_year integer NOT NULL, region text, country text, programme text,
  appeal text, channel text, event text, settles bigint, reverses bigint, probability_ppm integer);
CREATE TABLE funds (id text PRIMARY KEY, name text NOT NULL, category text NOT NULL);
COPY entries FROM '$EXPORT' WITH (FORMAT csv, HEADER true);
COPY funds FROM '$DATA/funds.csv' WITH (FORMAT csv, HEADER true);
VACUUM ANALYZE;
SQL
  record postgres load "$(since "$start")"
  say "PostgreSQL, $RUNS runs"
  { echo '\timing on'; cat "$WORK/figures-sql.sql"; } > "$WORK/postgres-run.sql"
  # The CPU time of a run: each run is a session of its own, whose backend and
  # parallel workers, once they exit, are counted in the postmaster's
  # children's times (fields 16 and 17 of /proc/PID/stat, in clock ticks);
  # autovacuum is off, so no other child comes and goes.
  postmaster=$(head -1 "$PG_DIR/data/postmaster.pid")
  ticks=$(getconf CLK_TCK)
  children_cpu() { awk -v t="$ticks" '{ print ($16 + $17) / t }' "/proc/$postmaster/stat"; }
  for _ in $(seq "$RUNS"); do
    before=$(children_cpu)
    output=$(psql_run -A -t -F, < "$WORK/postgres-run.sql")
    sleep 0.5  # the postmaster reaps the backend
    wall=$(grep '^Time: ' <<< "$output" | awk '{ print $2 / 1000 }')
    record postgres query "$wall" "$(awk -v a="$before" -v b="$(children_cpu)" 'BEGIN { print b - a }')"
  done
  grep -v '^Time: ' <<< "$output" > "$WORK/figures-postgres.csv"
  stop_pg
  trap - EXIT
fi

# --- DuckDB. ----------------------------------------------------------------
if wants duckdb; then
  say "DuckDB, $RUNS runs"
  node "$HERE/duckdb.mjs" "$EXPORT" "$DATA/funds.csv" "$WORK/figures-duckdb.sql" "$RUNS" "$WORK/figures-duckdb.csv" |
    awk '{ print "duckdb\t" $1 "\t" $2 "\t" $3 }' >> "$TIMES"
fi

# --- The memory-bandwidth bound. ---------------------------------------------
if [ -n "${BANDWIDTH_GBS:-}" ]; then
  BANDWIDTH_SOURCE="given"
else
  say "measuring the single-core memory bandwidth"
  cc -O3 -march=native -o "$WORK/bandwidth" "$HERE/bandwidth.c"
  BANDWIDTH_GBS=$("$WORK/bandwidth" 2> /dev/null)
  BANDWIDTH_SOURCE="measured by bandwidth.c: one core summing 1 GiB, best of 9 passes, timed by its CPU clock"
fi

{
  printf 'entries\t%s\ndonors\t%s\nseed\t%s\nyear\t%s\nas_of\t%s\n' "$ROWS" "$DONORS" "$SEED" "$YEAR" "$AS_OF"
  printf 'bandwidth_gbs\t%s\nbandwidth_source\t%s\nwarm_source\t%s\n' "$BANDWIDTH_GBS" "$BANDWIDTH_SOURCE" "$WARM_SOURCE"
  printf 'report_peak_kib\t%s\n' "$REPORT_PEAK_KIB"
  printf 'load_start\t%s\nload_end\t%s\n' "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
  sed 's/^/import_/' "$WORK/import.tsv"
} > "$WORK/info.tsv"
echo "rmis: $ENTRIES entries imported in $(awk -F'\t' '$1 == "load" { print $2 }' "$WORK/import.tsv") s" \
     "(peak $(( $(awk -F'\t' '$1 == "load_peak_kib" { print $2 }' "$WORK/import.tsv") / 1024 )) MiB);" \
     "rmis report peak memory $(( REPORT_PEAK_KIB / 1024 )) MiB"
node "$HERE/compare.mjs" "$WORK"
