#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Screenshots of every main view into docs/screenshots/ (start, design, run, the Run view's tour, samples,
# history, compare, and the re-validate and continue dialogs). Runs the developer tool dpg-screenshots (tools/screenshots,
# built with the GUI, not installed) under xvfb-run: it makes two short tiny runs in a temporary store, then grabs
# each tab of the workbench's main window with QWidget::grab().
#   scripts/screenshots.sh [build-dir]        (default: build)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
bin="$build/bin/dpg-screenshots"
out="$here/docs/screenshots"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
export XDG_CONFIG_HOME="$tmp/config"   # fresh window layout, no user settings
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
xvfb-run -a -s "-screen 0 1600x1000x24" "$bin" --db "$tmp/runs.db" --out "$out" \
  --steps "${DPG_SCREENSHOT_STEPS:-16}"
ls -l "$out"
