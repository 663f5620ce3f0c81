#!/usr/bin/env bash
# The main job, from nothing: build the toolchain image, compile a real socket
# program (test/directsockets/http_get.c, a plain blocking HTTP client) with
# -sDIRECT_SOCKETS, and run it against a web server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash docker_build.sh

out=build/demo
mkdir -p "$out"
echo "==> tools/emcc test/directsockets/http_get.c -sDIRECT_SOCKETS -sJSPI -o $out/http_get.js"
tools/emcc test/directsockets/http_get.c -sDIRECT_SOCKETS -sJSPI -Wno-experimental -o "$out/http_get.js"

python3 -u -m http.server --bind 127.0.0.1 0 --directory test/directsockets >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server' EXIT
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/server.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the web server did not start" >&2; exit 1; }

echo "==> tools/node $out/http_get.js 127.0.0.1 $port /http_get.c"
tools/node "$out/http_get.js" 127.0.0.1 "$port" /http_get.c >"$out/response.txt"
head -n 12 "$out/response.txt"
grep -q '^HTTP/1.0 200' "$out/response.txt" && cmp -s <(sed '1,/^\r$/d' "$out/response.txt") test/directsockets/http_get.c
echo "demo: the wasm program fetched its own source over a real TCP socket, byte for byte"
