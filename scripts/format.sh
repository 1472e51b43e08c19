#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clang-format over the project's C++ sources (.clang-format): `scripts/format.sh` rewrites them in place,
# `scripts/format.sh --check` changes nothing and fails with the offending lines when any file is not formatted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "format.sh: clang-format is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [[ ${1:-} == --check ]]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} files formatted as .clang-format says"
else
  clang-format -i "${files[@]}"
fi
