#!/usr/bin/env bash
# One entry point for people and CI:
#   scripts/run.sh demo    install what is missing, build, run `starttls-probe demo`
#   scripts/run.sh test    install what is missing, build, run every test (GCC, OpenSSL's built-in
#                          key methods on); the same suite in an AddressSanitizer +
#                          UndefinedBehaviorSanitizer build; again built with clang, with the
#                          built-in key methods off (STARTTLS_PROBE_BUILTIN_KEYS=0); then cppcheck
#                          and clang-tidy (scripts/lint.sh); then each fuzz target for FUZZ_SECONDS
#                          (default 40) with libFuzzer
#   scripts/run.sh build   install what is missing and build (build/app/starttls-probe)
#   scripts/run.sh package install what is missing, build, and make the Debian package
#                          (build/starttls-probe_VERSION_ARCH.deb; install it with dpkg -i)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses earlier builds.
export CCACHE_BASEDIR="$PWD"

build() {  # build DIR [cmake options...]
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr "$@" >/dev/null
  cmake --build "$dir"
}

case "${1:-}" in
  build)
    build build
    ;;
  package)
    build build
    (cd build && cpack -G DEB | tail -1)
    ;;
  demo)
    build build >/dev/null
    exec ./build/app/starttls-probe demo
    ;;
  test)
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    build build
    ctest --test-dir build --output-on-failure -j "$(nproc)" | tee "$log"
    echo "== the Debian package: built, lintian, installed, run, removed"
    bash tests/package_test.sh build
    echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    build build-sanitize -DSTARTTLS_PROBE_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-sanitize --output-on-failure -j "$(nproc)" | tee -a "$log"
    echo "== the same tests built with clang, OpenSSL's built-in key methods off (provider decoders)"
    build build-clang -DCMAKE_CXX_COMPILER=clang++
    STARTTLS_PROBE_BUILTIN_KEYS=0 ctest --test-dir build-clang --output-on-failure -j "$(nproc)" | tee -a "$log"
    echo "== static analysis"
    bash scripts/lint.sh
    echo "== fuzzing, ${FUZZ_SECONDS:-40} s per target"
    bash fuzz/run.sh "${FUZZ_SECONDS:-40}"
    # The three ctest runs together, as the last line (a failure above has already stopped the script).
    total=$(grep -Eo 'tests failed out of [0-9]+' "$log" | awk '{sum += $5} END {print sum + 0}')
    echo "ctest, plain, sanitized and clang: $total passed, 0 failed"
    ;;
  *)
    echo "usage: scripts/run.sh demo|test|build|package" >&2
    exit 3
    ;;
esac
