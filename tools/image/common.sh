# Sourced by docker_build.sh and tools/in-image: where the toolchain image
# lives and how commands enter it.
#
# SOCKET_IWA_HOME   cache directory, outside the repo (default /var/cache/socket-iwa);
#                   the debootstrapped root is $SOCKET_IWA_HOME/root
# SOCKET_IWA_ENGINE docker | chroot (default: docker when an engine answers)
SOCKET_IWA_HOME=${SOCKET_IWA_HOME:-/var/cache/socket-iwa}
SOCKET_IWA_ROOT=$SOCKET_IWA_HOME/root
SOCKET_IWA_IMAGE=${SOCKET_IWA_IMAGE:-socket-iwa-toolchain}
PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -z "${SOCKET_IWA_ENGINE:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    SOCKET_IWA_ENGINE=docker
  else
    SOCKET_IWA_ENGINE=chroot
  fi
fi

# Variables that cross into the image; everything else starts clean.
image_env() {
  local name
  for name in CI TERM EMTEST_BROWSER EMTEST_VERBOSE EMTEST_SKIP_JSPI EMTEST_TIMEOUT EMCC_DEBUG \
              EMTEST_SAVE_DIR NODE_OPTIONS $(compgen -v SOCKET_IWA_); do
    [ -n "${!name+x}" ] && printf '%s=%s\n' "$name" "${!name}"
  done
  return 0
}

# in_image DIR CMD...: run CMD inside the image with the project and the
# current directory DIR visible at their own paths, from DIR.
in_image() {
  local dir=$1; shift
  local -a envs
  mapfile -t envs < <(image_env)
  envs+=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
  if [ "$SOCKET_IWA_ENGINE" = docker ]; then
    local -a vols=(-v "$PROJECT_DIR:$PROJECT_DIR")
    [ "$dir" = "$PROJECT_DIR" ] || [[ "$dir" == "$PROJECT_DIR"/* ]] || vols+=(-v "$dir:$dir")
    local -a tty=()
    [ -t 0 ] && tty=(-it)
    docker run --rm "${tty[@]}" --network host --shm-size 2g "${vols[@]}" -w "$dir" \
      "${envs[@]/#/--env=}" "$SOCKET_IWA_IMAGE" "$@"
    return
  fi
  [ "$(id -u)" = 0 ] || { echo "in-image: the chroot engine needs root" >&2; return 1; }
  [ -x "$SOCKET_IWA_ROOT/usr/bin/env" ] || { echo "in-image: no toolchain root at $SOCKET_IWA_ROOT; run docker_build.sh" >&2; return 1; }
  # A private mount namespace: the bind mounts vanish with the command.
  unshare --mount --propagation private -- /bin/bash -s -- "$SOCKET_IWA_ROOT" "$PROJECT_DIR" "$dir" "${envs[@]}" -- "$@" <<'INNER'
set -e
root=$1 project=$2 dir=$3; shift 3
envs=(); while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mkdir -p "$root$project"
mount --bind "$project" "$root$project"
case $dir in
  "$project" | "$project"/*) ;;
  /) echo "in-image: will not run from /" >&2; exit 2 ;;
  *) mkdir -p "$root$dir" && mount --bind "$dir" "$root$dir" ;;
esac
exec chroot "$root" /usr/bin/env -i "${envs[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$dir" "$@"
INNER
}
