#!/usr/bin/env bash
# Runs every test layer of Socket.IWA, building or updating the toolchain
# image first, and ends with one line: "N passed, N failed".
#   1. the patcher, against Emscripten trees (python unittest, on the host)
#   2. native unit tests of the socket core (ctest + GoogleTest, sanitizers)
#   3. the Node.js Direct Sockets implementation (node --test)
#   4. Emscripten's harness: test/runner directsockets
#   5. tools/iwa (IWA packaging, dev server, runner)
#   6. the harness tests again in headless Chromium, each program an Isolated
#      Web App: test/runner directsockets_browser
#   7. the Direct Sockets conformance suite in headless Chromium and in Node,
#      side by side
#   8. upload integrity in Chromium: every byte sent arrives, and the plain-JS
#      reproductions of Chromium's TCP bugs still reproduce
# Each layer runs even when an earlier one failed.
#   bash ci/test.sh [LAYER...]   only these layers (e.g. harness-chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
bash docker_build.sh
only=" $* "

logs=build/test-logs
mkdir -p "$logs"
passed=0 failed=0 broken=()

# layer NAME PARSER CMD...: runs CMD, adds the counts PARSER reads off its log.
layer() {
  local name=$1 parser=$2; shift 2
  [ "$only" = "  " ] || [[ $only == *" $name "* ]] || return 0
  printf '\n=== %s: %s\n' "$name" "$*"
  local status=0
  "$@" 2>&1 | tee "$logs/$name.log" || status=$?
  local counts
  counts=$("$parser" "$logs/$name.log")
  read -r p f <<<"$counts"
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi # a crash counts as a failure
  [ "$p$f" = 00 ] && f=1                                 # so does running no test
  passed=$((passed + p)) failed=$((failed + f))
  [ "$f" = 0 ] || broken+=("$name")
  printf '=== %s: %d passed, %d failed\n' "$name" "$p" "$f"
}

# Python's unittest (and Emscripten's runner): "Ran N tests" + "FAILED (failures=a, errors=b)".
unittest_counts() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], errors='replace').read()
ran = sum(int(n) for n in re.findall(r'^Ran (\d+) tests?', text, re.M))
# Not "expected failures=N": those are tests whose expected failure happened.
bad = sum(int(n) for n in re.findall(r'(?:\(|, )(?:failures|errors|unexpected successes)=(\d+)', text))
skipped = sum(int(n) for n in re.findall(r'skipped=(\d+)', text))
print(ran - bad - skipped, bad)
PY
}
# The conformance runner: "conformance: N passed, N failed".
conformance_counts() {
  sed -n 's/^conformance: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | tail -n1
}
# The upload integrity checks: "send-integrity: N passed, N failed".
send_integrity_counts() {
  sed -n 's/^send-integrity: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | tail -n1
}
# ctest: "N% tests passed, F tests failed out of T".
ctest_counts() {
  sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$1" |
    awk '{p += $1 - $2; f += $2} END {print p + 0, f + 0}'
}
# node --test: "# pass N" / "# fail N" (TAP), or "ℹ pass N" / "ℹ fail N".
node_counts() {
  awk '$2 == "pass" && ($1 == "#" || $1 == "ℹ") {p += $3}
       $2 == "fail" && ($1 == "#" || $1 == "ℹ") {f += $3}
       END {print p + 0, f + 0}' "$1"
}

layer patcher unittest_counts python3 -m unittest discover -v -s test/tools -p 'test_*.py'
layer native ctest_counts tools/in-image bash test/native/run.sh
layer node-direct-sockets node_counts tools/in-image node --test --test-timeout=60000 tools/direct-sockets-node/test/
layer harness unittest_counts tools/in-image env EMTEST_BROWSER=0 EMTEST_TIMEOUT=120 \
  python3 /opt/socket-iwa/emscripten/test/runner.py directsockets
bash tools/iwa/setup.sh
layer iwa-tools node_counts tools/in-image node --test --test-timeout=120000 'tools/iwa/test/*.test.mjs'
layer harness-chromium unittest_counts tools/in-image env EMTEST_BROWSER=0 EMTEST_TIMEOUT=120 \
  SOCKET_IWA_BROWSER_RUNNER="$PWD/tools/iwa/run.mjs" \
  python3 /opt/socket-iwa/emscripten/test/runner.py directsockets_browser
layer conformance-chromium conformance_counts tools/in-image node tools/iwa/conformance.mjs
layer send-integrity send_integrity_counts tools/in-image node tools/iwa/send-integrity.mjs

printf '\n'
[ ${#broken[@]} = 0 ] || printf 'failing layers: %s\n' "${broken[*]}"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
