#!/usr/bin/env bash
# Builds the benchmarks (release preset) and runs all three, printing their
# result tables (docs/performance.md explains them). Not part of ctest.
#
#   bash tests/bench/run.sh            # full run (~2-5 min on 2 cores)
#   bash tests/bench/run.sh --quick    # smaller counts, one round (a smoke run)
#
# Environment: BUILD_DIR (default build/release, the release preset's
# directory; any other tree is configured with the release preset too), JOBS
# (build parallelism, default 2), BENCH_DIR (where the databases are created,
# default /tmp: the disk being measured).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD_DIR:-build/release}
dir=${BENCH_DIR:-/tmp}
# The release preset, into whichever tree was asked for (-B overrides the
# preset's directory; an existing tree keeps its cache, e.g. a ccache launcher).
cmake --preset release -B "$build" > /dev/null
mkdir -p "$build"
if ! cmake --build "$build" --target intake_bench delivery_bench memory_bench -j "${JOBS:-2}" \
    > "$build/bench-build.log" 2>&1; then
  tail -50 "$build/bench-build.log"
  exit 1
fi
bin=$build/bin

if [ "${1:-}" = --quick ]; then
  intake=(--sessions=300 --rounds=1)
  delivery=(--plans=200 --rounds=1 --reference-plans=20)
  delivery_one=(--plans=200 --rounds=1 --reference-plans=0 --concurrency=1)
  delivery_big=(--plans=100 --rounds=1 --reference-plans=0 --actions=8)
  memory=(--queued=2000,10000)
else
  intake=(--sessions=2000 --rounds=3)
  delivery=(--plans=1000 --rounds=3 --reference-plans=50)
  delivery_one=(--plans=1000 --rounds=3 --reference-plans=0 --concurrency=1)
  delivery_big=(--plans=500 --rounds=3 --reference-plans=0 --actions=8)
  memory=(--queued=10000,50000,100000)
fi

out=$build/bench-results.md
{
  dirty=$(git diff --quiet HEAD -- 2>/dev/null || echo " + uncommitted changes")
  echo "# benchmark run $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$dirty"
  echo "uptime before: $(uptime)"
  "$bin/intake_bench" --dir="$dir" "${intake[@]}"
  "$bin/intake_bench" --dir="$dir" "${intake[@]}" --clients=8 --cpu-dir=
  "$bin/delivery_bench" --dir="$dir" "${delivery[@]}"
  "$bin/delivery_bench" --dir="$dir" "${delivery_one[@]}"
  "$bin/delivery_bench" --dir="$dir" "${delivery_big[@]}"
  "$bin/memory_bench" --dir="$dir" "${memory[@]}"
  echo
  echo "uptime after: $(uptime)"
} 2>&1 | tee "$out"

echo
echo "== summary (also in $out) =="
grep -E '^(###|\|)' "$out"
