#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks what packaging/ installs, in the build tree:
#   - the .desktop entry passes desktop-file-validate, the AppStream metainfo appstreamcli validate --no-net, and
#     each screenshot it names exists in docs/screenshots/;
#   - the icon PNGs are 48, 128 and 256 px square;
#   - the man pages render without a groff warning, and dpg(1) has a section for every subcommand dpg --help lists
#     (recursively);
#   - dpg --version and dpg-workbench --version print the version git describe gives for this checkout.
#   check_packaging.sh SOURCE_DIR BUILD_DIR APP_ID PROJECT_VERSION
set -euo pipefail
src="$1" build="$2" id="$3" fallback="$4"
bin="$build/bin"
errors=0
fail() { echo "FAIL: $*" >&2; errors=$((errors + 1)); }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

desktop-file-validate "$src/packaging/dpg-workbench.desktop" || fail "desktop-file-validate"
metainfo="$build/packaging/$id.metainfo.xml"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate --no-net $metainfo"
shots="$(sed -n 's#.*<image>.*/\([^/]*\.png\)</image>.*#\1#p' "$metainfo")"
[[ -n "$shots" ]] || fail "no screenshots in the metainfo"
for s in $shots; do [[ -f "$src/docs/screenshots/$s" ]] || fail "screenshot $s is not in docs/screenshots/"; done

png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'; }
for size in 48 128 256; do
  got="$(png_size "$src/packaging/icons/dpg-workbench-$size.png")"
  [[ "$got" == "${size}x${size}" ]] || fail "dpg-workbench-$size.png is $got"
done

programs=(dpg)
[[ -x "$bin/dpg-workbench" ]] && programs+=(dpg-workbench)
for p in "${programs[@]}"; do
  page="$build/packaging/man/$p.1.gz"
  [[ -f "$page" ]] || { fail "no man page $page"; continue; }
  warnings="$(zcat "$page" | groff -man -Tutf8 -ww -z 2>&1)"
  [[ -z "$warnings" ]] || fail "groff warns about $p(1): $warnings"
done
subcommands() { "$bin/dpg" "$@" --help | awk '/^[A-Za-z]+:$/ { s = ($0 == "Subcommands:") } s && /^  [^ ]/ { print $1 }'; }
check_sections() {
  local sub
  for sub in $(subcommands "$@"); do
    grep -qx ".SS \"dpg ${*:+$* }$sub\"" <<<"$(zcat "$build/packaging/man/dpg.1.gz")" || fail "dpg(1) lacks 'dpg ${*:+$* }$sub'"
    check_sections "$@" "$sub"
  done
}
check_sections
[[ "$(subcommands | wc -l)" -ge 10 ]] || fail "dpg --help lists fewer than 10 subcommands"

cmake -DDPG_VERSION_SRC="$src" -DDPG_VERSION_FALLBACK="$fallback" -DDPG_VERSION_TEMPLATE="$src/core/config/version.cpp.in" \
      -DDPG_VERSION_OUT="$tmp/version.cpp" -P "$src/packaging/git_version.cmake"
want="$(sed -n 's/.*return "\(.*\)";.*/\1/p' "$tmp/version.cpp")"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  [[ "$want" == *"+"*".g$(git -C "$src" rev-parse --short=7 HEAD)" || "v$want" == "$(git -C "$src" describe --tags 2>/dev/null)" ]] \
    || fail "the version '$want' does not name HEAD"
fi
[[ "$("$bin/dpg" --version)" == "dpg $want" ]] || fail "dpg --version says '$("$bin/dpg" --version)', want 'dpg $want'"
if [[ -x "$bin/dpg-workbench" ]]; then
  [[ "$("$bin/dpg-workbench" --version)" == *" $want" ]] || fail "dpg-workbench --version: $("$bin/dpg-workbench" --version)"
fi

((errors == 0)) && echo "packaging: all checks passed"
exit $((errors > 0))
