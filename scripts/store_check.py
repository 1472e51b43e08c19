#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks of a run store after a crash, used by scripts/kill-test.sh and the disk-full test.

  store_check.py check DB            integrity_check ok, every checkpoint row of run 1 points at an
                                     intact file (SHA-256), and a row for every committed step;
                                     prints the last committed step
  store_check.py same DB REFERENCE   run 1's steps and samples equal the reference's, value for
                                     value, and it is done
Each failure is one line on stderr and exit status 1.
"""
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

CURVE = ("step, phi, metric, val_phi, val_metric, reward_mean, reward_std, policy_loss, "
         "clip_frac, kl, entropy, fluency_nll, is_best")
SAMPLES = ("SELECT step, idx, prompt, response, tau, advantage, byte_tau FROM samples "
           "WHERE run_id = 1 ORDER BY step, idx")


class Failure(Exception):
    pass


def connect(db):
    """A read-only connection that reads text as bytes: a response need not be UTF-8."""
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    c.text_factory = bytes
    return c


def check(db, every_step_checkpointed=True):
    """integrity_check, the checkpoint files; returns (last committed step, samples per step)."""
    with connect(db) as c:
        ok = c.execute("PRAGMA integrity_check").fetchall()
        if ok != [(b"ok",)]:
            raise Failure(f"{db}: integrity_check says {ok}")
        last = c.execute("SELECT max(step) FROM steps WHERE run_id = 1").fetchone()[0] or 0
        rows = c.execute("SELECT step, path, sha256 FROM checkpoints WHERE run_id = 1").fetchall()
        per_step = c.execute("SELECT count(*) FROM samples WHERE run_id = 1 GROUP BY step").fetchall()
    for step, raw_path, sha in rows:
        path = Path(os.fsdecode(raw_path))
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
        if digest != sha.decode():
            raise Failure(f"{db}: the checkpoint row of step {step} points at a damaged file {path}")
    if every_step_checkpointed and sorted(r[0] for r in rows) != list(range(1, last + 1)):
        raise Failure(f"{db}: steps 1..{last} committed, checkpoint rows {sorted(r[0] for r in rows)}")
    if len({n for (n,) in per_step}) > 1:
        raise Failure(f"{db}: steps hold different numbers of samples: {sorted({n for (n,) in per_step})}")
    return last


def same(db, ref, steps=None):
    """Run 1 of @p db equals run 1 of @p ref, step for step and sample for sample, and is done."""
    query = f"SELECT {CURVE} FROM steps WHERE run_id = 1 ORDER BY step"
    with connect(db) as a, connect(ref) as b:
        ca, cb = a.execute(query).fetchall(), b.execute(query).fetchall()
        if (steps is not None and len(ca) != steps) or ca != cb:
            diff = next(((x, y) for x, y in zip(ca + [None], cb + [None]) if x != y), None)
            raise Failure(f"{db}: {len(ca)} steps; they differ from the reference's {len(cb)}: {diff}")
        if a.execute(SAMPLES).fetchall() != b.execute(SAMPLES).fetchall():
            raise Failure(f"{db}: the samples differ from the reference's")
        status = a.execute("SELECT status FROM runs WHERE id = 1").fetchone()[0]
        if status != b"done":
            raise Failure(f"{db}: the run ends with status {status.decode()}")


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "check":
            print(check(argv[2]))
        elif len(argv) == 4 and argv[1] == "same":
            same(argv[2], argv[3])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Failure as e:
        print(f"store_check: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
