#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages a headless build needs on a machine that has a compiler, CMake, ninja and a Python
# torch but none of the project's Debian libraries and no network (a lent GPU machine): apt downloads them
# here, on Debian 12, into gpu-deps/ (git-ignored; about 20 MB of .deb files), for scripts/gpu-check.sh to
# unpack there with dpkg-deb -x (or ar and tar) into its build folder. Nothing is installed.
#   scripts/gpu-deps.sh            download what is missing into gpu-deps/, then check the set is closed
#   scripts/gpu-deps.sh --check    only the check: every shared library the unpacked set needs is in the
#                                  set or in the base every build machine has (glibc, libstdc++, zlib)
# The set: Qt 6 Core and Test (headers, CMake files, moc), SQLite, spdlog with fmt, nlohmann-json, CLI11,
# libqrencode, zbar, libpng, zlib's headers, Gloo's headers and pkgconf, and every library those link
# that is not in the base. docs/scaling.md says why the build carries packages rather than dropping them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/gpu-deps"

# Headers, CMake and pkg-config files, and build tools (Qt's CMake files name qmake among its tools).
BUILD_PKGS=(qt6-base-dev qt6-base-dev-tools qmake6 qmake6-bin libsqlite3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libcli11-dev libqrencode-dev libzbar-dev libpng-dev zlib1g-dev libgloo-dev pkgconf pkgconf-bin)
# The shared libraries the programs, plugins and tools load (QtCore's, zbar's and their own).
RUNTIME_PKGS=(libqt6core6 libqt6test6 libicu72 libdouble-conversion3 libpcre2-16-0 libpcre2-8-0 libb2-1
  libglib2.0-0 libffi8 libsqlite3-0 libspdlog1.10 libfmt9 libqrencode4 libzbar0 libpng16-16 libpkgconf3
  libx11-6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 libdbus-1-3 libsystemd0 libcap2 libgcrypt20
  libgpg-error0 liblz4-1 liblzma5 libzstd1 libjpeg62-turbo libv4l-0 libv4lconvert0 libmount1 libblkid1
  libselinux1)
# Sonames every machine that can build C++ has: not carried.
BASE_SONAMES="ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1
  libstdc++.so.6 libgcc_s.so.1 libz.so.1 libgomp.so.1"

log() { printf '[gpu-deps] %s\n' "$*"; }

download() {
  mkdir -p "$DEST"
  local missing=() p
  for p in "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}"; do
    compgen -G "$DEST/${p}_*.deb" >/dev/null || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "downloading ${#missing[@]} packages into $DEST"
    (cd "$DEST" && apt-get download -q "${missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed') || true
  fi
  for p in "${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}"; do
    compgen -G "$DEST/${p}_*.deb" >/dev/null || { echo "gpu-deps: $p was not downloaded" >&2; exit 1; }
  done
}

# Every NEEDED soname of every ELF file in the unpacked set must be in the set or in the base; Qt's D-Bus
# code generators (qt6-base-dev-tools) are never run.
check_closed() {
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  for f in "$DEST"/*.deb; do dpkg-deb -x "$f" "$tmp"; done
  local have needed missing
  have="$(find "$tmp" -name '*.so*' \( -type f -o -type l \) -printf '%f\n' | sort -u)"
  needed="$(find "$tmp" -type f \( -name '*.so*' -o -perm -u+x \) ! -name 'qdbus*' -exec sh -c \
    'readelf -d "$1" 2>/dev/null | sed -n "s/.*(NEEDED).*\[\(.*\)\]/\1/p"' _ {} \; | sort -u)"
  missing="$(comm -23 <(echo "$needed") <(printf '%s\n' $have $BASE_SONAMES | sort -u))"
  if [[ -n $missing ]]; then
    echo "gpu-deps: the carried set misses: $(echo $missing)" >&2
    exit 1
  fi
  log "$(ls "$DEST"/*.deb | wc -l) packages, $(du -sh "$DEST" | cut -f1); every library they need is carried or in the base"
}

[[ ${1:-} == --check ]] || download
check_closed
