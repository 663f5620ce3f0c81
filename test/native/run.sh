#!/bin/bash
# Configures, builds and runs the native unit tests of the socket core.
# Usage: test/native/run.sh [extra cmake -D options]
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
# Inside the checkout (build/ is ignored): one cache per checkout.
build=${BUILD_DIR:-$src/../../build/native}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug "$@"
cmake --build "$build" -j2
cd "$build"
# halt_on_error: UBSan findings fail the test instead of only printing.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure -j2
