#!/usr/bin/env bash
# The browser test layer: Socket.IWA's programs and the Direct Sockets
# conformance suite in headless Chromium, as Isolated Web Apps.
#   1. tools/iwa's own tests (node --test: packaging, manifest, bundle, server)
#   2. the harness tests in Chromium: test/runner directsockets_browser
#   3. the conformance suite in Chromium and in Node, side by side
#   4. upload integrity (tools/iwa/send-integrity.mjs)
# Each part runs even when an earlier one failed. Ends with one line:
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
[ "${SOCKET_IWA_SKIP_BUILD:-0}" = 1 ] || bash docker_build.sh || exit 1
bash tools/iwa/setup.sh || exit 1

logs=build/test-logs
mkdir -p "$logs"
passed=0 failed=0

# part NAME PATTERN CMD...: runs CMD; PATTERN is a sed expression printing "P F" off its log.
part() {
  local name=$1 counts=$2; shift 2
  printf '\n=== browser-%s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$logs/browser-$name.log"
  local status=${PIPESTATUS[0]} p f
  read -r p f < <(python3 - "$logs/browser-$name.log" "$counts" <<'PY'
import re, sys
text = open(sys.argv[1], errors='replace').read()
if sys.argv[2] == 'unittest':
  ran = sum(int(n) for n in re.findall(r'^Ran (\d+) tests?', text, re.M))
  bad = sum(int(n) for n in re.findall(r'(?:failures|errors|unexpected successes)=(\d+)', text))
  skipped = sum(int(n) for n in re.findall(r'skipped=(\d+)', text))
  print(ran - bad - skipped, bad)
elif sys.argv[2] == 'node':
  p = sum(int(n) for n in re.findall(r'^(?:#|ℹ) pass (\d+)', text, re.M))
  f = sum(int(n) for n in re.findall(r'^(?:#|ℹ) fail (\d+)', text, re.M))
  print(p, f)
elif sys.argv[2] == 'send-integrity':
  m = re.findall(r'^send-integrity: (\d+) passed, (\d+) failed', text, re.M)
  print(*(m[-1] if m else (0, 0)))
else:  # "conformance: N passed, N failed"
  m = re.findall(r'^conformance: (\d+) passed, (\d+) failed', text, re.M)
  print(*(m[-1] if m else (0, 0)))
PY
)
  if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi # a crash counts as a failure
  [ "$p$f" = 00 ] && f=1                                 # so does running no test
  passed=$((passed + p)) failed=$((failed + f))
  printf '=== browser-%s: %d passed, %d failed\n' "$name" "$p" "$f"
}

part iwa-tools node tools/in-image node --test 'tools/iwa/test/*.test.mjs'
part harness unittest tools/in-image env EMTEST_BROWSER=0 \
  SOCKET_IWA_BROWSER_RUNNER="$PWD/tools/iwa/run.mjs" \
  python3 /opt/socket-iwa/emscripten/test/runner.py directsockets_browser
part conformance conformance tools/in-image node tools/iwa/conformance.mjs
part send-integrity send-integrity tools/in-image node tools/iwa/send-integrity.mjs

printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
