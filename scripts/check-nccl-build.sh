#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compiles (g++ -fsyntax-only) the NCCL path of core/dist/c10d_collective.cpp against a CUDA LibTorch's
# headers, on a machine without a GPU or CUDA toolkit: the CUDA torch wheel and NVIDIA's header wheels come
# from PyPI (about 1.5 GB, cached in CACHE). It proves the code compiles against that torch's
# ProcessGroupNCCL, not that it runs (docs/scaling.md).
#   scripts/check-nccl-build.sh [TORCH_VERSION (default 2.11.0)] [CACHE (default ~/.cache/dpg-workbench/cuda-torch)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${1:-2.11.0}"
CACHE="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/dpg-workbench/cuda-torch}/$VERSION"
PIP="$ROOT/.venv/bin/pip"
[[ -x $PIP ]] || { echo "check-nccl-build.sh: no .venv: run scripts/setup.sh --no-build" >&2; exit 1; }
mkdir -p "$CACHE/wheels" "$CACHE/tree"
if [[ ! -f $CACHE/tree/.done ]]; then
  "$PIP" download --quiet --no-deps -d "$CACHE/wheels" "torch==$VERSION"
  # The CUDA major version this torch asks for, and the header wheels its CUDA headers include.
  cu=$(unzip -p "$CACHE"/wheels/torch-"$VERSION"-*.whl "torch-$VERSION.dist-info/METADATA" |
    sed -n 's/^Requires-Dist: cuda-toolkit\[.*\]==\([0-9.]*\).*/\1/p' | head -1)
  nccl=$(unzip -p "$CACHE"/wheels/torch-"$VERSION"-*.whl "torch-$VERSION.dist-info/METADATA" |
    sed -n 's/^Requires-Dist: \(nvidia-nccl-cu[0-9]*==[0-9.]*\).*/\1/p' | head -1)
  [[ -n $cu && -n $nccl ]] || { echo "check-nccl-build.sh: torch $VERSION names no CUDA toolkit" >&2; exit 1; }
  "$PIP" download --quiet -d "$CACHE/wheels" "cuda-toolkit[cudart,nvcc,cccl,cublas,cusparse,cusolver,curand,nvtx]==$cu" "$nccl"
  unzip -q -o "$CACHE"/wheels/torch-"$VERSION"-*.whl 'torch/include/*' -d "$CACHE/tree"
  for w in "$CACHE"/wheels/nvidia_*.whl; do unzip -q -n "$w" 'nvidia/*/include/*' -d "$CACHE/tree" || true; done
  touch "$CACHE/tree/.done"
fi
T="$CACHE/tree/torch/include"
includes=(-I"$ROOT" -I"$T" -I"$T/torch/csrc/api/include")
for d in "$CACHE"/tree/nvidia/*/include; do includes+=(-I"$d"); done
[[ -d $CACHE/tree/nvidia/cu13/include/cccl ]] && includes+=(-I"$CACHE/tree/nvidia/cu13/include/cccl")
# The definitions a CUDA LibTorch's targets pass on to the code that links them (Caffe2Targets.cmake).
g++ -std=gnu++20 -fsyntax-only -Wno-interference-size -D_GLIBCXX_USE_CXX11_ABI=1 -DUSE_C10D_NCCL \
  -DUSE_C10D_GLOO -DUSE_DISTRIBUTED -DUSE_CUDA "${includes[@]}" "$ROOT/core/dist/c10d_collective.cpp"
echo "check-nccl-build.sh: core/dist/c10d_collective.cpp compiles with NCCL against torch $VERSION"
