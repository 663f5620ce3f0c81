#!/usr/bin/env bash
# The benchmark suite (bench/run.py): natively, as wasm under Node.js (JSPI
# and threads modes, ours and upstream's NODERAWSOCKETS), as wasm and as raw
# Direct Sockets JS in headless Chromium. Prints the figures, the ratios and
# the targets, and writes build/bench/results.json and build/bench/chart.png
# (and chart.html, the page it is drawn from). Extra arguments go to run.py, e.g. --quick or
# --variants native,ours. A benchmark, not a test: it fails only when it
# cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SOCKET_IWA_SKIP_BUILD:-0}" = 1 ] || bash docker_build.sh
tools/in-image python3 bench/run.py --json build/bench/results.json --chart build/bench/chart.png "$@"
