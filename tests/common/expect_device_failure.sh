#!/bin/sh
# SPDX-License-Identifier: MIT
# expect_device_failure.sh DEVICE TEST [ARGS...]: runs an engine test executable with
# DPG_TEST_DEVICE=DEVICE, a device this machine lacks, and passes only when the test fails with the
# device's one-line reason (an absent device is a failure, never a skip).
device=$1
shift
out=$(DPG_TEST_DEVICE="$device" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
  echo "expect_device_failure: the test passed although $device is absent"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -q "FAIL.*DPG_TEST_DEVICE: run.device: $device asked for, but "; then
  echo "expect_device_failure: the failure does not name the absent device"
  exit 1
fi
