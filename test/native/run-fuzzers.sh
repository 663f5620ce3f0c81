#!/bin/bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# (FUZZ_SECONDS, default 20) from the seed corpus. Exits non-zero if a
# fuzzer finds a crash; its input is left in the build directory.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-${TMPDIR:-/tmp}/socket-iwa-native-fuzz}
seconds=${FUZZ_SECONDS:-20}
cxx=${CXX:-}
if [ -z "$cxx" ]; then
  for c in clang++ clang++-21 clang++-20 clang++-19; do
    if command -v "$c" >/dev/null; then
      cxx=$c
      break
    fi
  done
fi
[ -n "$cxx" ] || { echo "run-fuzzers.sh: no clang++ found" >&2; exit 1; }

# The unit tests need not be rebuilt here, but GTest is still found: keep
# the configuration the same as run.sh's.
cmake -S "$src" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DFUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j2 --target address_fuzz ring_buffer_fuzz pipe_buffer_fuzz

status=0
for name in address ring_buffer pipe_buffer; do
  corpus=$build/corpus/$name
  mkdir -p "$corpus"
  echo "== ${name}_fuzz for ${seconds}s"
  # New inputs go to the build's corpus; the seeds in the tree stay as they are.
  if ! ("$build/fuzz/${name}_fuzz" -max_total_time="$seconds" \
          -artifact_prefix="$build/${name}-" -print_final_stats=1 \
          "$corpus" "$src/fuzz/corpus/$name"); then
    echo "== ${name}_fuzz FAILED" >&2
    status=1
  fi
done
exit $status
