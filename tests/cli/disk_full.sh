#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/cli/disk_full.sh DPG WORK: a run on a small filesystem that fills up while it runs.
#
# The store lives on a 256 MiB tmpfs. After a few committed steps the disk is filled; the run must stop
# with one line that says the disk is full, leave the store intact (integrity_check, every committed
# checkpoint whole, every step whole), and, once the space is back, `dpg resume` must continue it to
# the same steps as a run that never stopped.
#
# A tmpfs mount needs root: run as root, the test mounts it in a private mount namespace; run as
# another user, it enters a user namespace first (unshare --user --map-root-user), where mounting a
# tmpfs needs no privilege. Where neither works the test fails, saying so.
set -euo pipefail
dpg=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
check="python3 $here/../../scripts/store_check.py"

if [ -z "${DPG_DISK_FULL_NS:-}" ]; then
  ns=(--mount)
  [ "$(id -u)" = 0 ] || ns=(--user --map-root-user --mount)
  export DPG_DISK_FULL_NS=1
  exec unshare "${ns[@]}" "$0" "$@" ||
    { echo "disk_full: cannot make a mount namespace for the tmpfs (unshare ${ns[*]})" >&2; exit 1; }
fi

fail() { echo "disk_full: FAILED: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work/fs"
mount -t tmpfs -o size=256m tmpfs "$work/fs" || fail "cannot mount a tmpfs on $work/fs"
run=(run --preset 67-tiny --set seed=4 --set grpo.steps=16 --set grpo.prompts_per_step=4
     --set grpo.minibatch_prompts=4 --set grpo.max_new_tokens=24 --set inner.T=4
     --set validation.every=5 --set validation.prompts=4 --set validation.T=4
     --set checkpoint_every=1 --set threads=1)
db=$work/fs/runs.db

"$dpg" "${run[@]}" --db "$work/reference.db" >/dev/null 2>"$work/reference.err" ||
  fail "the reference run failed: $(tail -1 "$work/reference.err")"

"$dpg" "${run[@]}" --db "$db" >/dev/null 2>"$work/full.err" &
pid=$!
committed() { $check check "$db" 2>/dev/null || echo 0; }
for _ in $(seq 600); do
  [ "$(committed)" -ge 3 ] && break
  kill -0 $pid 2>/dev/null || fail "the run ended before the disk was filled"
  sleep 0.1
done
# Fill every free block; dd stops at ENOSPC.
dd if=/dev/zero of="$work/fs/filler" bs=64k 2>/dev/null || true
status=0
wait $pid || status=$?
[ $status -ne 0 ] || fail "the run finished on a full disk"
errors=$(grep -c '^dpg: error: ' "$work/full.err" || true)
last=$(tail -n 1 "$work/full.err")
[ "$errors" = 1 ] || fail "$errors error lines: $(cat "$work/full.err")"
case $last in
  "dpg: error: step "*" was not saved: the disk is full ("*"); the steps before it are kept, and \`dpg resume 1\` continues the run once that is fixed") ;;
  *) fail "the last line is not the disk-full error: $last" ;;
esac

left=$(find "$work/fs" -name '*.tmp')
[ -z "$left" ] || fail "a failed write left its temporary file behind: $left"
rm -f "$work/fs/filler"
kept=$($check check "$db") || fail "the store after the full disk: $($check check "$db" 2>&1)"
[ "$kept" -ge 3 ] && [ "$kept" -lt 16 ] || fail "$kept steps kept"
"$dpg" resume 1 --db "$db" >/dev/null 2>"$work/resume.err" ||
  fail "the resume failed: $(tail -1 "$work/resume.err")"
grep -q "resuming run 1 at step $((kept + 1))" "$work/resume.err" ||
  fail "the resume did not start at step $((kept + 1)): $(head -1 "$work/resume.err")"
$check check "$db" >/dev/null || fail "the store after the resume"
$check same "$db" "$work/reference.db" || fail "the resumed run differs from the reference"
echo "disk_full: stopped on a full disk after $kept steps with: $last"
echo "disk_full: the store stayed intact and the resumed run equals the uninterrupted one"
umount "$work/fs"
