#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Experiment (b) of docs/results.md: Adam-DPG, SGD-DPG and naive on 67-tiny at the same example budget
# (STEPS steps × 64 rollouts), 3 seeds each, JOBS runs at a time with one thread each.
#   scripts/experiments/compare_b.sh [STEPS=250] [JOBS=2]
# SGD's inner lr: in the small-lr regime P_T − P_0 is linear in the lr, so its sign, and GRPO's
# std-normalised advantages, do not depend on it; 0.1 is past that regime for this target (see results.md).
# Naive's inner lr 1e-3 is the one of docs/method.md §8 that learned at all (1e-2 stayed at chance).
# validation.repeats=1: the recorded (b) tables used single validations (the preset now averages 4).
set -euo pipefail
cd "$(dirname "$0")/../.."
steps=${1:-250} jobs=${2:-2}
{
  for seed in 1 2 3; do
    echo "b adam-s$seed 67-tiny $steps $seed validation.repeats=1"
    echo "b sgd-s$seed 67-tiny $steps $seed inner.optimizer=sgd inner.lr=0.1 validation.repeats=1"
    echo "b naive-s$seed 67-tiny $steps $seed grpo.reward=naive grpo.cross_group=false inner.lr=1e-3 validation.repeats=1"
  done
} | xargs -P "$jobs" -L 1 scripts/experiments/run.sh
