#!/usr/bin/env bash
# Installs tools/iwa's npm packages (wbn, wbn-sign: signing .swbn bundles)
# inside the toolchain image with `npm ci`, when package-lock.json changed
# since the last install. node_modules stays in tools/iwa (gitignored).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
project=$(cd "$here/../.." && pwd)
stamp=$here/node_modules/.socket-iwa-lock
want=$(sha256sum "$here/package-lock.json" | cut -c1-16)
[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && exit 0

# Where the host's Node trusts an extra CA for the registry (a TLS-inspecting
# proxy), npm in the image must too: hand it the same file.
ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
  mkdir -p "$project/build"
  cp "$NODE_EXTRA_CA_CERTS" "$project/build/npm-extra-ca.pem"
  ca=("NODE_EXTRA_CA_CERTS=$project/build/npm-extra-ca.pem")
fi
cd "$project"
tools/in-image env "${ca[@]}" npm ci --prefix "$here" --no-audit --no-fund --omit-lockfile-registry-resolved
echo "$want" >"$stamp"
