#!/usr/bin/env bash
# Builds the Socket.IWA toolchain image: Debian sid's Emscripten (with clang/lld,
# binaryen, Node.js and Chromium), Emscripten's test harness from Debian's
# source package, and this project's overlay applied on top.
#
#   bash docker_build.sh            build what is missing or stale, reuse the rest
#   bash docker_build.sh --rebuild  start over
#
# With a Docker engine the result is the image $SOCKET_IWA_IMAGE; without one
# the same steps run in a debootstrapped root under $SOCKET_IWA_HOME (default
# /var/cache/socket-iwa), entered with chroot. See tools/image/common.sh.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/tools/image/common.sh"
cd "$PROJECT_DIR"

rebuild=0
for arg in "$@"; do
  case $arg in
    --rebuild) rebuild=1 ;;
    *) echo "usage: $0 [--rebuild]" >&2; exit 2 ;;
  esac
done

step_start=0
step() { step_start=$SECONDS; printf '==> %s\n' "$*"; }
done_step() { printf '    done in %ds\n' $((SECONDS - step_start)); }

# What the overlay step depends on: a change here re-applies it.
overlay_hash() {
  { git ls-files -co --exclude-standard -- tools/patch-emscripten tools/image emscripten system test \
      tools/direct-sockets-node ':!:tools/direct-sockets-node/node_modules' | sort | xargs -r sha256sum; } |
    sha256sum | cut -c1-16
}

if [ "$SOCKET_IWA_ENGINE" = docker ]; then
  step "docker build $SOCKET_IWA_IMAGE"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM debian:sid
COPY tools/image/provision.sh /tmp/provision.sh
RUN bash /tmp/provision.sh
COPY . $PROJECT_DIR
RUN bash $PROJECT_DIR/tools/image/finalize.sh $PROJECT_DIR
DOCKERFILE
  nocache=()
  [ $rebuild = 1 ] && nocache=(--no-cache)
  docker build "${nocache[@]}" -f "$ctx/Dockerfile" -t "$SOCKET_IWA_IMAGE" .
  done_step
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "docker_build.sh: without a Docker engine this needs root (debootstrap, chroot)" >&2; exit 1; }
root=$SOCKET_IWA_ROOT
if [ $rebuild = 1 ]; then
  step "removing $root"
  rm -rf "$root" "$root.partial"
  done_step
fi

if ! command -v debootstrap >/dev/null; then
  step "installing debootstrap on the host"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  done_step
fi

if [ ! -f "$root/.socket-iwa-base" ]; then
  step "debootstrap sid into $root"
  rm -rf "$root.partial" "$root"
  mkdir -p "$SOCKET_IWA_HOME"
  debootstrap --variant=minbase sid "$root.partial" >"$SOCKET_IWA_HOME/debootstrap.log" 2>&1 ||
    { tail -n 20 "$SOCKET_IWA_HOME/debootstrap.log"; exit 1; }
  touch "$root.partial/.socket-iwa-base"
  mv "$root.partial" "$root"
  done_step
fi
[ -f /etc/resolv.conf ] && cp /etc/resolv.conf "$root/etc/resolv.conf"

provision=$(sha256sum tools/image/provision.sh | cut -c1-16)
if [ "$(cat "$root/.socket-iwa-provisioned" 2>/dev/null)" != "$provision" ]; then
  step "installing Debian's emscripten, clang, node, chromium; fetching Emscripten's test tree"
  in_image "$PROJECT_DIR" bash tools/image/provision.sh
  echo "$provision" >"$root/.socket-iwa-provisioned"
  rm -f "$root/.socket-iwa-overlay"
  done_step
fi

overlay=$(overlay_hash)
if [ "$(cat "$root/.socket-iwa-overlay" 2>/dev/null)" != "$overlay" ]; then
  step "applying the Socket.IWA overlay and pre-building system libraries"
  in_image "$PROJECT_DIR" bash tools/image/finalize.sh "$PROJECT_DIR"
  echo "$overlay" >"$root/.socket-iwa-overlay"
  done_step
fi
echo "toolchain ready: $root (tools/in-image, tools/emcc, tools/em++)"
