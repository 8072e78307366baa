#!/usr/bin/env bash
# Builds the fuzz targets with clang + libFuzzer and runs each for SECONDS (default 60), starting
# from the seeds and earlier finds in testdata/fuzz/<target>/. A crash stops the run with the
# input saved as build-fuzz/crash-<target>-*; copy it into testdata/fuzz/<target>/ once fixed, and
# the ordinary test suite replays it from then on.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(reply target_line certificate certificate_file escape inventory dns_records)

cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz

for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  mkdir -p "$corpus"
  echo "== fuzz_$target for ${seconds}s"
  ASAN_OPTIONS=detect_leaks=1 ./build-fuzz/fuzz_$target "$corpus" "testdata/fuzz/$target" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/crash-$target-" -print_final_stats=1 2>&1 |
    grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|Done [0-9]+ runs" || true
  if ls build-fuzz/crash-"$target"-* >/dev/null 2>&1; then
    echo "fuzz_$target found a crash: $(ls build-fuzz/crash-"$target"-*)" >&2
    exit 1
  fi
done
echo "fuzzing: no crash in ${#targets[@]} targets x ${seconds}s"
