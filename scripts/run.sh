#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and starts DPG Workbench on its default preset (67-tiny).
# With no display it runs the headless demo: `dpg run --preset 67-tiny`, then shows the run.
#   scripts/run.sh [extra arguments for dpg run, e.g. --set grpo.steps=100]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
PRESET="${DPG_PRESET:-67-tiny}"
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x build/bin/dpg-workbench ]]; then
  exec build/bin/dpg-workbench  # opens on the start page, 67-tiny selected
fi
echo "[run] no display: headless demo (dpg run --preset $PRESET)"
DB="${DPG_DB:-$HOME/.local/share/dpg-workbench/runs.db}"
build/bin/dpg run --preset "$PRESET" --db "$DB" "$@"
build/bin/dpg runs list --db "$DB" | tail -n 5
