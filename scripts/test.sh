#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test (CTest; GUI tests offscreen).
#   scripts/test.sh [ctest arguments, e.g. -R metagrad]
#   scripts/test.sh --sanitize [ctest arguments]   the same under ASan + UBSan, in build-asan/
#     (docs/sanitizers-and-fuzzing.md; the suppressions are tests/sanitizers/*.supp)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
if [[ "${1:-}" != "--sanitize" ]]; then
  scripts/setup.sh
  exec ctest --test-dir build --output-on-failure --timeout 1200 "$@"
fi
shift
scripts/setup.sh --no-build
DPG_BUILD_DIR=build-asan DPG_CMAKE_ARGS="-DDPG_SANITIZE=ON" scripts/build.sh
# shellcheck source=tests/sanitizers/env.sh
source tests/sanitizers/env.sh
exec ctest --test-dir build-asan --output-on-failure --timeout 3600 "$@"
