#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package build/dpg-workbench_VERSION_amd64.deb (cpack -G DEB) in its own tree, build/deb,
# configured for /usr (the programs look for their data and plugins under the install prefix), without the tests.
# Install it with: sudo apt install ./build/dpg-workbench_*.deb
#   DPG_DEB_COMPRESSION=gzip scripts/package.sh     faster, larger (default xz)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh --no-build
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
cmake -S . -B build/deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DDPG_TESTS=OFF \
  -DDPG_DEB_COMPRESSION="${DPG_DEB_COMPRESSION:-xz}" >/dev/null
cmake --build build/deb -j "${DPG_JOBS:-$(nproc)}"
rm -f build/deb/dpg-workbench_*.deb build/dpg-workbench_*.deb
(cd build/deb && cpack -G DEB >/dev/null)
mv build/deb/dpg-workbench_*.deb build/
deb="$(ls build/dpg-workbench_*.deb)"
echo "[package] $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Version Depends Installed-Size
