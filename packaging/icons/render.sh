#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders the hicolor PNGs (48, 128, 256 px) from dpg-workbench.svg. The PNGs are committed, so a build needs no
# SVG renderer; run this after editing the SVG (needs rsvg-convert, Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for size in 48 128 256; do
  rsvg-convert -w "$size" -h "$size" dpg-workbench.svg -o "dpg-workbench-$size.png"
done
ls -l dpg-workbench-*.png
