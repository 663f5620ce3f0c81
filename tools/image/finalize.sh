#!/usr/bin/env bash
# Runs inside the toolchain root: applies the project's overlay to a copy of
# the pristine Emscripten tree, writes its config, installs the Node.js Direct
# Sockets package, and pre-builds the system libraries the tests use.
# The copy is made once per pristine tree and set of edits (emscripten/
# edits.py); later runs re-apply the overlay in place (the patcher only
# rewrites what changed), so a compile running in another checkout meanwhile
# keeps its files.
# Usage: finalize.sh PROJECT_DIR
set -euo pipefail
project=$1
upstream=/opt/socket-iwa/emscripten-upstream
tree=/opt/socket-iwa/emscripten
cache=/var/cache/emscripten-socket-iwa

# An edit that changed cannot be re-applied over its old form: a new copy.
edits=$(sha256sum "$project/emscripten/edits.py" | cut -d' ' -f1)
if ! cmp -s "$upstream/emscripten-version.txt" "$tree/.socket-iwa-base" 2>/dev/null ||
   [ "$upstream" -nt "$tree/.socket-iwa-base" ] ||
   [ "$(cat "$tree/.socket-iwa-edits" 2>/dev/null)" != "$edits" ]; then
  rm -rf "$tree.new"
  cp -a "$upstream" "$tree.new"
  # Debian's node finds Emscripten's JS dependencies (acorn, terser...) for
  # /usr/share/emscripten only; give the copy the same modules.
  ln -s /usr/share/nodejs "$tree.new/node_modules"
  cp "$upstream/emscripten-version.txt" "$tree.new/.socket-iwa-base"
  rm -rf "$tree"
  mv "$tree.new" "$tree"
fi
python3 "$project/tools/patch-emscripten" "$tree"
echo "$edits" >"$tree/.socket-iwa-edits"

# The Node.js implementation of the Direct Sockets API, preloaded into every
# node run of the test harness so -sDIRECT_SOCKETS programs find TCPSocket.
mkdir -p /opt/socket-iwa/direct-sockets-node
cp -a "$project/tools/direct-sockets-node/." /opt/socket-iwa/direct-sockets-node/

cat >"$tree/.emscripten" <<CONFIG
# Written by Socket.IWA's tools/image/finalize.sh.
LLVM_ROOT = '/usr/bin'
LLVM_ADD_VERSION = '21'
CLANG_ADD_VERSION = '21'
BINARYEN_ROOT = '/usr'
NODE_JS = '/usr/bin/node'
NODE_JS_TEST = ['/usr/bin/node', '--import', '/opt/socket-iwa/direct-sockets-node/register.js']
CACHE = '$cache'
CONFIG
ln -sf "$tree/emcc" /usr/local/bin/emcc
ln -sf "$tree/em++" /usr/local/bin/em++
ln -sf "$tree/embuilder" /usr/local/bin/embuilder

# Our library's sources may have changed: drop its cached builds.
"$tree/embuilder" clear 'libdirectsockets*' >/dev/null
# Build the system libraries of every execution mode once, here, rather than
# inside the first test that needs them.
probe=$(mktemp -d)
printf '#include <sys/socket.h>\nint main(void) { return socket(AF_INET, SOCK_STREAM, 0) < 0; }\n' >"$probe/probe.c"
for flags in "" "-sJSPI" "-pthread -sPROXY_TO_PTHREAD"; do
  # shellcheck disable=SC2086
  "$tree/emcc" "$probe/probe.c" -sDIRECT_SOCKETS $flags -o "$probe/probe.js"
done
rm -rf "$probe"
