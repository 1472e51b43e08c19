#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Re-validates every generator checkpoint of run 1 of a store with `dpg eval` (read-only) and prints one
# line per checkpoint: step, mean validation metric, its sd over the repeats, mean Φ_val.
#   scripts/experiments/eval_checkpoints.sh DB [REPEATS=12] [PROMPTS=16] [FIRST_STEP=0] [key=value ...]
# Extra key=value pairs are validation.* overrides, e.g. validation.temperature=0.7.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
db=$1 repeats=${2:-12} prompts=${3:-16} first=${4:-0}
shift $(( $# < 4 ? $# : 4 ))
sets=(--set "validation.repeats=$repeats" --set "validation.prompts=$prompts")
for kv in "$@"; do sets+=(--set "$kv"); done
dpg="${DPG_BIN:-$ROOT/build/bin/dpg}"
printf "%6s %8s %7s %10s\n" step metric sd phi_val
for f in $(ls "$db-checkpoints/run-1/" | sed -n 's/^step-\([0-9]*\)\.safetensors$/\1/p' | sort -n); do
  [ "$f" -ge "$first" ] || continue
  "$dpg" eval 1 --db "$db" --step "$f" --threads "${THREADS:-1}" "${sets[@]}" 2>/dev/null |
    awk -v s="$f" '$1 == "mean" { gsub(",", "", $5); printf "%6d %8.4f %7.4f %10.6f\n", s, $3, $5, $2 }'
done
