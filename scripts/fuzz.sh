#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one libFuzzer target under ASan + UBSan (clang, build folder build-fuzz) and fuzzes it.
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options]   TARGET: gguf safetensors tokenizer config png
# New inputs go to build-fuzz/corpus/TARGET (seeded from fuzz/corpus/TARGET, which is not
# modified); a crash is written to build-fuzz/findings/TARGET/ and ends the run with a non-zero exit.
# docs/sanitizers-and-fuzzing.md says how to keep a finding as a regression input.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGETS="gguf safetensors tokenizer config png"
if [[ $# -lt 2 || ! " $TARGETS " =~ " $1 " || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options]; TARGET is one of: $TARGETS" >&2
  exit 2
fi
TARGET=$1 SECONDS_=$2
shift 2
CLANG=""
for c in clang++-14 clang++; do command -v "$c" >/dev/null && CLANG=$(command -v "$c") && break; done
if [[ -z "$CLANG" ]]; then
  echo "fuzz.sh: clang is not installed (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi
BUILD=build-fuzz
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -S . -B $BUILD -G Ninja -DDPG_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CLANG" >/dev/null
fi
cmake --build $BUILD -j2 --target "fuzz_$TARGET"
mkdir -p "$BUILD/corpus/$TARGET" "$BUILD/findings/$TARGET"
# shellcheck source=tests/sanitizers/env.sh
source tests/sanitizers/env.sh
export OMP_NUM_THREADS=1
exec "$BUILD/bin/fuzz_$TARGET" "$BUILD/corpus/$TARGET" "fuzz/corpus/$TARGET" \
  -max_total_time="$SECONDS_" -artifact_prefix="$BUILD/findings/$TARGET/" -print_final_stats=1 \
  -max_len=65536 -rss_limit_mb=4096 "$@"
