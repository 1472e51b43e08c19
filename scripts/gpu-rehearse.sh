#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rehearses scripts/gpu-check.sh on a CPU where a GPU machine's situation holds: a clean Debian 12 root with a
# compiler, CMake, ninja and Python, and none of the project's Debian libraries (no Qt, SQLite, spdlog, CLI11,
# libqrencode, zbar, libpng, Gloo headers), so the build can only use the packages of gpu-deps/.
#   1. unpacks the minimal Debian 12 root that scripts/package-test.sh caches in ~/.cache/dpg-workbench/
#      (debootstrap makes it there when it is missing) and installs g++, cmake, ninja-build and python3;
#   2. checks the root has none of those headers, and no Qt, zbar, spdlog, libqrencode, libpng or fmt library;
#   3. bind-mounts this checkout and its .venv (the torch whose LibTorch the build uses) at the same paths,
#      and runs, as root inside it, `scripts/gpu-check.sh OUTDIR SECONDS --device cpu`.
# Needs root (chroot and mounts) and scripts/gpu-deps.sh's packages.
#   sudo scripts/gpu-rehearse.sh [OUTDIR (default build/gpu-rehearsal)] [SECONDS (default 60)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[gpu-rehearse] %s\n' "$*"; }
fail() { printf '[gpu-rehearse] FAIL: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root (chroot and mounts): sudo $0"
OUTDIR="$(realpath -m "${1:-build/gpu-rehearsal}")"
RUN_SECONDS="${2:-60}"
compgen -G "gpu-deps/*.deb" >/dev/null || fail "no gpu-deps/: run scripts/gpu-deps.sh first"
VENV="$(realpath .venv)"
[[ -x $VENV/bin/python ]] || fail "no .venv with torch: run scripts/setup.sh"

MIRROR="${DPG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dpg-workbench"
TARBALL="$CACHE/debian12-minbase.tar"
R="$ROOT/build/gpu-rehearsal-root"

unmount_all() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$R/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
  unmount_all
  if findmnt -rn -o TARGET | grep -qF "$R/"; then
    echo "[gpu-rehearse] mounts remain under $R; not deleting it" >&2
  else
    rm -rf --one-file-system "$R"
  fi
}
trap cleanup EXIT
cleanup
mkdir -p "$CACHE/apt-archives/partial" "$OUTDIR"

if [[ ! -f $TARBALL ]]; then
  log "debootstrap: a minimal Debian 12 root (once; cached in $TARBALL)"
  tmp="$(mktemp -d)" && chmod 755 "$tmp"
  debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" >"$OUTDIR/debootstrap.log"
  tar -C "$tmp" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf --one-file-system "$tmp"
fi
mkdir -p "$R" && tar -C "$R" -xf "$TARBALL" && chmod 755 "$R"
cp /etc/resolv.conf "$R/etc/resolv.conf"
cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev"
mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }

log "apt: g++, cmake, ninja-build, python3 (what a GPU machine has besides its torch)"
in_root apt-get -qq update
in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends install \
  g++ cmake ninja-build python3 >"$OUTDIR/apt.log" || { tail -20 "$OUTDIR/apt.log"; fail "apt install"; }
for f in /usr/include/x86_64-linux-gnu/qt6 /usr/include/sqlite3.h /usr/include/spdlog /usr/include/zbar.h \
  /usr/include/png.h /usr/include/qrencode.h /usr/include/CLI /usr/include/gloo; do
  [[ ! -e $R$f ]] || fail "$f is inside the root: it would hide a missing carried package"
done
# SQLite's runtime library comes with python3, as on a GPU machine; its headers do not.
if in_root sh -c 'ldconfig -p | grep -E "libQt6|libzbar|libspdlog|libqrencode|libpng16|libfmt"'; then
  fail "the root's linker can see Qt, zbar, spdlog, libqrencode, libpng or fmt"
fi

log "bind-mounting $ROOT and $VENV at the same paths"
mkdir -p "$R$ROOT" "$R$VENV" "$R$OUTDIR"
mount --bind "$ROOT" "$R$ROOT"
mount --bind -o ro "$VENV" "$R$VENV"
mount --bind "$OUTDIR" "$R$OUTDIR"
log "scripts/gpu-check.sh $OUTDIR $RUN_SECONDS --device cpu (inside the root)"
start=$SECONDS
rc=0
SITE="$(echo "$VENV"/lib/python3*/site-packages)"  # the root's python3 (3.11, as the .venv's) imports its torch
in_root env PYTHON=/usr/bin/python3 PYTHONPATH="$SITE" OMP_NUM_THREADS="$(nproc)" \
  "$ROOT/scripts/gpu-check.sh" "$OUTDIR" "$RUN_SECONDS" --device cpu || rc=$?
log "gpu-check exited $rc after $((SECONDS - start)) s; logs in $OUTDIR/logs"
exit "$rc"
