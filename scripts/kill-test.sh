#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/kill-test.sh [N] [--seed S] [--dpg PATH] [--work DIR] [--window-ms MS]
# Kills a small seeded `dpg run` with SIGKILL at N random moments (default 20) spread over the stages
# of a step, resumes it after each, and checks the store, the checkpoints and the final curve against
# an uninterrupted run (scripts/kill_test.py says what exactly; docs/reliability.md).
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")" && pwd)/kill_test.py" "$@"
