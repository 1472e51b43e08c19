#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The install test: builds the .deb (scripts/package.sh), installs it into a clean Debian 12 root and checks it.
#   1. a minimal Debian 12 root from debootstrap, cached as a tarball in ~/.cache/dpg-workbench/ (rebuilt when
#      missing); apt resolves the package's declared Depends inside it from the Debian mirror;
#   2. inside the root, as a fresh user, from the installed files only (no checkout, no DPG_* variables):
#      dpg --version, dpg run --preset 67-tiny --set grpo.steps=3 into the default XDG store, dpg runs show,
#      the GUI opening that stored run, offscreen and on an X server (Xvfb, through Qt's xcb plugin), saved as
#      build/package-test/gui-*.png;
#   3. the menu entry, the AppStream metainfo, the icons and the man pages;
#   4. apt purge, then nothing may be left outside the user's home (their runs and settings stay).
# Needs root (chroot and mounts). Takes a few minutes once the root and the .deb's dependencies are cached.
#   scripts/package-test.sh                      build the .deb, then test it
#   scripts/package-test.sh build/dpg-workbench_X_amd64.deb     test that .deb
#   DPG_DEBIAN_MIRROR=http://host/debian scripts/package-test.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '\033[1m[package-test]\033[0m %s\n' "$*"; }
fail() { printf '\033[1;31m[package-test] FAIL:\033[0m %s\n' "$*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap, chroot and mounts): sudo $0"
start=$SECONDS

MIRROR="${DPG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dpg-workbench"
TARBALL="$CACHE/debian12-minbase.tar"
OUT="$ROOT/build/package-test"
R="$OUT/root"

if [[ $# -ge 1 ]]; then
  DEB="$(realpath "$1")"
else
  scripts/package.sh
  DEB="$(ls "$ROOT"/build/dpg-workbench_*.deb)"
fi
[[ -f "$DEB" ]] || fail "no package $DEB"
VERSION="$(dpkg-deb --field "$DEB" Version)"
DEPENDS="$(dpkg-deb --field "$DEB" Depends)"
log "testing $(basename "$DEB")"

# Mounts inside the root are always undone before anything under it is deleted.
unmount_all() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$R/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
  unmount_all
  if findmnt -rn -o TARGET | grep -qF "$R/"; then
    echo "[package-test] mounts remain under $R; not deleting it" >&2
  else
    rm -rf --one-file-system "$R"
  fi
}
trap cleanup EXIT
cleanup
mkdir -p "$OUT" "$CACHE/apt-archives/partial"

if [[ ! -f "$TARBALL" ]]; then
  log "debootstrap: a minimal Debian 12 root (once; cached in $TARBALL)"
  command -v debootstrap >/dev/null || scripts/setup.sh --no-build
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"  # the root's own mode: mktemp's 0700 would lock every user but root out of it
  debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" >"$OUT/debootstrap.log"
  tar -C "$tmp" -cf "$TARBALL.part" . && mv "$TARBALL.part" "$TARBALL"
  rm -rf --one-file-system "$tmp"
fi
mkdir -p "$R"
tar -C "$R" -xf "$TARBALL"
chmod 755 "$R"
cp /etc/resolv.conf "$R/etc/resolv.conf"
security="${MIRROR%/debian}/debian-security"
cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $security bookworm-security main
EOF
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev"
mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives"  # downloads kept between runs
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }
as_user() {
  chroot --userspec="$TESTER" "$R" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/home/tester \
    USER=tester OMP_NUM_THREADS=2 "$@"
}

log "apt: the declared dependencies ($DEPENDS), and xvfb for the X11 check"
in_root apt-get -qq update
in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends satisfy "$DEPENDS, xvfb, xauth" \
  >"$OUT/apt.log" || { tail -20 "$OUT/apt.log"; fail "apt could not satisfy the declared dependencies"; }
in_root useradd -m tester
TESTER="$(in_root id -u tester):$(in_root id -g tester)"
snapshot() {  # every path outside the user's home and the ever-changing system folders
  in_root find / -xdev \( -path /proc -o -path /dev -o -path /tmp -o -path /home -o -path /root -o -path /var/log \
    -o -path /var/cache -o -path /var/lib/dpkg -o -path /var/lib/apt \) -prune -o -print | sort
}
snapshot >"$OUT/before.txt"
cp "$DEB" "$R/tmp/"
in_root dpkg -i "/tmp/$(basename "$DEB")" >"$OUT/dpkg.log" || { cat "$OUT/dpkg.log"; fail "dpkg -i"; }
rm "$R/tmp/$(basename "$DEB")"

log "installed files only: the checkout is not inside the root, and no DPG_* variable is set"
[[ ! -e "$R$ROOT" ]] || fail "the checkout path exists inside the root"
got="$(as_user dpg --version)"
[[ "$got" == "dpg $VERSION" ]] || fail "dpg --version said '$got', the package is $VERSION"
# Each output is read whole before it is searched: `cmd | grep -q` under pipefail fails when grep's early exit
# kills cmd with SIGPIPE.
gui_version="$(as_user env QT_QPA_PLATFORM=offscreen dpg-workbench --version)"
grep -qF "$VERSION" <<<"$gui_version" || fail "dpg-workbench --version said '$gui_version'"
libs="$(as_user ldd /usr/bin/dpg /usr/bin/dpg-workbench)"
if grep -q "not found" <<<"$libs"; then fail "unresolved libraries: $(grep "not found" <<<"$libs" | tr -s ' \t\n' ' ')"; fi
libs="$(as_user ldd /usr/bin/dpg)"
for lib in libtorch_cpu.so libc10.so; do  # resolved through the RUNPATH, $ORIGIN/../lib/dpg-workbench
  grep -Eq "$lib => /usr/(bin/\.\./)?lib/dpg-workbench/$lib " <<<"$libs" \
    || fail "$lib is not loaded from the bundled /usr/lib/dpg-workbench"
done

log "dpg run --preset 67-tiny --set grpo.steps=3"
as_user dpg run --preset 67-tiny --set grpo.steps=3 >"$OUT/run.log" 2>&1 || { cat "$OUT/run.log"; fail "dpg run"; }
db="/home/tester/.local/share/dpg-workbench/runs.db"
[[ -f "$R$db" ]] || fail "the run is not in the default XDG store $db"
as_user dpg runs show 1 >"$OUT/show.log" || fail "dpg runs show 1"
grep -qx "status: done *" "$OUT/show.log" || { cat "$OUT/show.log"; fail "run 1 did not finish (status done)"; }
grep -q ": finished, 3 steps" "$OUT/run.log" || fail "dpg run did not report the 3 steps finished"
[[ "$(sqlite3 "$R$db" 'select app_version from runs where id = 1')" == "$VERSION" ]] \
  || fail "run 1 does not record the version $VERSION"

log "the GUI opens the stored run (offscreen, then on Xvfb through the xcb plugin)"
as_user env QT_QPA_PLATFORM=offscreen dpg-workbench --run 1 --grab /tmp/gui-offscreen.png >"$OUT/gui.log" 2>&1 \
  || { cat "$OUT/gui.log"; fail "dpg-workbench --run 1 (offscreen)"; }
as_user xvfb-run -a -s "-screen 0 1400x900x24" dpg-workbench --run 1 --grab /tmp/gui-xvfb.png >>"$OUT/gui.log" 2>&1 \
  || { cat "$OUT/gui.log"; fail "dpg-workbench --run 1 (Xvfb)"; }
for png in gui-offscreen.png gui-xvfb.png; do
  [[ "$(head -c 8 "$R/tmp/$png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "$png is not a PNG"
  cp "$R/tmp/$png" "$OUT/"
done

log "menu entry, metainfo, icons, man pages"
desktop="$(ls "$R"/usr/share/applications/*.desktop)"
id="$(basename "$desktop" .desktop)"
grep -qx "Exec=dpg-workbench" "$desktop" || fail "Exec= of $desktop"
grep -qx "Categories=Science;Education;Development;" "$desktop" || fail "Categories= of $desktop"
icon="$(sed -n 's/^Icon=//p' "$desktop")"
for f in scalable/apps/$icon.svg 48x48/apps/$icon.png 128x128/apps/$icon.png 256x256/apps/$icon.png; do
  [[ -s "$R/usr/share/icons/hicolor/$f" ]] || fail "icon $f missing"
done
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$R/usr/share/metainfo/$id.metainfo.xml" \
  || fail "metainfo for $id"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" | grep -v hint: || true; fi
appstreamcli validate --no-net "$R/usr/share/metainfo/$id.metainfo.xml" >/dev/null || fail "appstreamcli validate"
for p in dpg dpg-workbench; do
  grep -q '^\.TH' <<<"$(zcat "$R/usr/share/man/man1/$p.1.gz")" || fail "man page $p(1)"
done

log "apt purge: nothing may be left outside the user's home"
in_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -y purge dpg-workbench >"$OUT/purge.log"
snapshot >"$OUT/after.txt"
left="$(comm -13 "$OUT/before.txt" "$OUT/after.txt")"
[[ -z "$left" ]] || fail "left behind after purge: $left"
[[ -f "$R$db" ]] || fail "the purge removed the user's runs"
as_user test ! -e /usr/bin/dpg || fail "/usr/bin/dpg still there"

log "passed in $((SECONDS - start)) s: $(basename "$DEB") ($(du -h "$DEB" | cut -f1)); screenshots in $OUT"
