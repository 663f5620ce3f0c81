#!/usr/bin/env bash
# Runs inside the toolchain root (chroot or Docker build) as root: installs
# Debian's Emscripten and its companions, and puts together a pristine
# Emscripten tree with the test harness at /opt/socket-iwa/emscripten-upstream.
# Our overlay is applied later, to a copy of that tree (tools/image/finalize.sh),
# so re-applying it never needs this step again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# A guard against running on a host by mistake.
grep -q "sid" /etc/os-release || { echo "provision.sh: this is not the Debian sid toolchain root" >&2; exit 1; }

# sid's Release file can be past its Valid-Until date in the archive we reach.
echo 'Acquire::Check-Valid-Until "false";' >/etc/apt/apt.conf.d/99socket-iwa
# Source packages come from the same archive as the binary ones.
# (debootstrap writes a one-line sources.list, Docker's debian image deb822.)
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
elif [ ! -f /etc/apt/sources.list.d/socket-iwa-src.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/socket-iwa-src.list
fi
apt-get update -q

packages=(
  emscripten python3-psutil   # the toolchain and what its test harness imports
  python3-xmlrunner           # the harness writes JUnit XML when CI is set
  chromium                    # the real browser for the IWA test layer
  npm                         # installs tools/iwa's packages (wbn, wbn-sign)
  cmake make g++ libgtest-dev # native unit tests of the socket core
  libclang-rt-21-dev          # libFuzzer and sanitizers for clang
  xz-utils ca-certificates procps iproute2 git
)
apt-get install -y -q --no-install-recommends "${packages[@]}"

# Emscripten's test/ tree ships only in the source package.
upstream=/opt/socket-iwa/emscripten-upstream
work=$(mktemp -d)
(cd "$work" && apt-get source -q --download-only emscripten)
tarball=$(ls "$work"/emscripten_*.orig.tar.xz)
tar -xJf "$tarball" -C "$work" --wildcards '*/test/*'
rm -rf "$upstream"
mkdir -p /opt/socket-iwa
cp -a /usr/share/emscripten "$upstream"
cp -a "$work"/*/test "$upstream/test"
rm -rf "$work"
apt-get clean
echo "pristine tree: $upstream ($(cat "$upstream/emscripten-version.txt"))"
