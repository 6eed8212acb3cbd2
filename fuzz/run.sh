#!/usr/bin/env bash
# Runs each fuzz target for a set time (make fuzz; issue 6).
#   fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Each target starts from its seeds (fuzz/corpus/<target>/), the inputs that
# once made it fail (fuzz/regressions/<target>/) and what earlier runs found
# (BUILD_DIR/fuzz-corpus/<target>/, kept out of the repo). A failing input is
# written to BUILD_DIR/fuzz-crashes/<target>/ and the script exits 1 after
# running the other targets. Log of each run: BUILD_DIR/fuzz-<target>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2

# Source lines in the sanitizers' reports (llvm-14, from scripts/install-deps.sh).
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

status=0
for target in "$@"; do
  found=$build/fuzz-corpus/$target
  crashes=$build/fuzz-crashes/$target
  log=$build/fuzz-$target.log
  mkdir -p "$found" "$crashes"
  seeds=(fuzz/corpus/"$target")
  [ -d fuzz/regressions/"$target" ] && seeds+=(fuzz/regressions/"$target")
  echo "fuzz: $target for ${seconds}s (log: $log)"
  # -timeout: an input that takes more than 10 s is a failure too (a hang).
  "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$found" "${seeds[@]}" > "$log" 2>&1
  code=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ "$code" -ne 0 ]; then
    status=1
    echo "fuzz: $target FAILED (exit $code); the input is in $crashes/:"
    ls "$crashes"
    grep -m1 -A30 -E 'ERROR: |fuzz check failed|runtime error|deadly signal|timeout' "$log"
  else
    echo "fuzz: $target ok: ${runs:-?} inputs, ${speed:-?}/s, ${coverage:-cov: ?} edges, corpus $(ls "$found" | wc -l) files"
  fi
done
if [ "$status" -ne 0 ]; then
  echo "fuzz: failures found. Fix the bug, then copy the input into fuzz/regressions/<target>/"
  echo "      (named issue<N>-<what>) so that make test replays it."
fi
exit $status
