#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Continues a finished experiment run in a copy of its store, optionally with changed settings. The source store is
# left untouched: the copy gets the source's checkpoints, a raised grpo.steps and the given key=value overrides
# (dotted paths into the stored RunConfig JSON), and is then resumed with `dpg resume`, which continues bit-exactly
# from the last committed step. Usage:
#   scripts/experiments/continue.sh SRC.db NEW_NAME TOTAL_STEPS [key=value ...]
# e.g. scripts/experiments/continue.sh runs/experiments/u-token-s3-1400.db z-T32 1700 inner.T=32 validation.T=32
# FROM_STEP=S continues from the source's checkpoint of step S instead of its newest (the copy forgets the later
# checkpoints and steps). Changes that leave the steps made as they were can also go through `dpg resume ID --set`
# on the store itself (config/continuation.h); this script also allows the others, for experiments.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src=$1 name=$2 steps=$3
shift 3
out="$ROOT/runs/experiments"
db="$out/$name.db"
[[ -e "$db" ]] && { echo "continue.sh: $db exists" >&2; exit 1; }
sqlite3 "$src" ".backup '$db'"
cp -r "$src-checkpoints" "$db-checkpoints"
if [[ -n "${FROM_STEP:-}" ]]; then
  sqlite3 "$db" "delete from checkpoints where step > $FROM_STEP"
  [[ "$(sqlite3 "$db" "select count(*) from checkpoints where step = $FROM_STEP")" == 1 ]] ||
    { echo "continue.sh: $src has no checkpoint of step $FROM_STEP" >&2; exit 1; }
fi
python3 - "$db" "$name" "$steps" "$@" <<'PY'
import json, sqlite3, sys
db, name, steps, sets = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
con = sqlite3.connect(db)
(cfg_text,) = con.execute("select config_json from runs where id = 1").fetchone()
cfg = json.loads(cfg_text)
cfg["name"] = name
cfg["grpo"]["steps"] = steps
for kv in sets:
    key, value = kv.split("=", 1)
    *path, leaf = key.split(".")
    node = cfg
    for p in path:
        node = node[p]
    try:
        node[leaf] = json.loads(value)  # numbers, true/false, arrays, objects, "quoted"
    except ValueError:
        node[leaf] = value  # a bare string such as token
con.execute("update runs set config_json = ?, name = ?, status = 'stopped' where id = 1",
            (json.dumps(cfg, indent=2), name))
con.commit()
PY
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
start=$(date +%s)
"${DPG_BIN:-$ROOT/build/bin/dpg}" resume 1 --db "$db" --threads 1 >"$out/$name.log" 2>&1 || echo "exit $?" >>"$out/$name.log"
echo "wall_s $(( $(date +%s) - start ))" >>"$out/$name.log"
