#!/usr/bin/env bash
# (d): an hour-scale 67-smollm2 run in the background, stopped with SIGINT (the run is marked stopped and resumable).
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
mkdir -p runs/experiments
start=$(date +%s)
timeout -s INT "${1:-55m}" "${DPG_BIN:-build/bin/dpg}" run --preset 67-smollm2 --set grpo.steps=1000 --set name=d-smollm2 \
  --set validation.every=10 --db runs/experiments/d-smollm2.db --threads 1 > runs/experiments/d-smollm2.log 2>&1
echo "exit $? wall_s $(( $(date +%s) - start ))" >> runs/experiments/d-smollm2.log
