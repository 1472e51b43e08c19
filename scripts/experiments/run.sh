#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the loop experiments of docs/results.md in the background, one intra-op thread per run, each into its own
# SQLite store under runs/experiments/ (git-ignored). Usage:
#   scripts/experiments/run.sh ARM NAME PRESET STEPS SEED [key=value ...]
# e.g. scripts/experiments/run.sh b adam-s1 67-tiny 500 1 inner.optimizer=adamw
# Summarise afterwards with scripts/experiments/summarise.py runs/experiments/*.db
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
arm=$1 name=$2 preset=$3 steps=$4 seed=$5
shift 5
out="$ROOT/runs/experiments"
mkdir -p "$out"
sets=(--set "grpo.steps=$steps" --set "seed=$seed" --set "name=$arm-$name")
for kv in "$@"; do sets+=(--set "$kv"); done
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
start=$(date +%s)
"${DPG_BIN:-$ROOT/build/bin/dpg}" run --preset "$preset" "${sets[@]}" --db "$out/$arm-$name.db" --threads 1 \
  >"$out/$arm-$name.log" 2>&1 || echo "exit $?" >>"$out/$arm-$name.log"
echo "wall_s $(( $(date +%s) - start ))" >>"$out/$arm-$name.log"
