#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures and builds DPG Workbench in build/ (Release, Ninja, ccache). Called by setup.sh.
#   DPG_CMAKE_ARGS="-DDPG_GUI=OFF" scripts/build.sh      extra CMake arguments
#   DPG_BUILD_DIR=build-asan scripts/build.sh            another build folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# ccache keyed on paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
BUILD="${DPG_BUILD_DIR:-build}"
# The first build shows CMake's and ninja's output; later ones print one line, or the whole log
# when the build fails, so a launch with an up-to-date build stays quiet.
if [[ ! -f "$BUILD/build.ninja" || -n "${DPG_BUILD_VERBOSE:-}" ]]; then
  # shellcheck disable=SC2086
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${DPG_CMAKE_ARGS:-} >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
  exit 0
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
if ! { cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${DPG_CMAKE_ARGS:-} &&
  cmake --build "$BUILD" -j "$(nproc)"; } >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
compiled="$(grep -c "Building CXX" "$log" || true)"
if ((compiled > 0)); then
  echo "[build] rebuilt ($compiled units compiled)"
else
  echo "[build] up to date"
fi
