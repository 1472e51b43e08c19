#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test (CTest; GUI tests offscreen).
#   scripts/test.sh [ctest arguments, e.g. -R metagrad]
#   scripts/test.sh --sanitize [ctest arguments]   every test under ASan + UBSan, in build-asan/
#   scripts/test.sh --sanitize-ci                  the subset CI runs under ASan + UBSan: builds only its
#                                                  targets (docs/sanitizers-and-fuzzing.md says which, and why)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
MODE="${1:-}"
if [[ "$MODE" != --sanitize && "$MODE" != --sanitize-ci ]]; then
  scripts/setup.sh
  exec ctest --test-dir build --output-on-failure --timeout 1200 "$@"
fi
shift
scripts/setup.sh --no-build
# The CI subset: the readers' fuzz replays, the config, the store, the plugins (each one loaded), GRPO.
CI_TARGETS=(fuzz_replay_gguf fuzz_replay_safetensors fuzz_replay_tokenizer fuzz_replay_config fuzz_replay_png
            test_config test_store test_plugins test_grpo plugins/objectives/all)
CI_TESTS='^(fuzz_replay_.*|config|store|plugins|grpo|objective_.*)$'
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DDPG_SANITIZE=ON >/dev/null
if [[ "$MODE" == --sanitize-ci ]]; then
  cmake --build build-asan -j "$(nproc)" --target "${CI_TARGETS[@]}"
  set -- -R "$CI_TESTS" "$@"
else
  cmake --build build-asan -j "$(nproc)"
fi
# shellcheck source=tests/sanitizers/env.sh
source tests/sanitizers/env.sh
exec ctest --test-dir build-asan --output-on-failure --timeout 3600 "$@"
