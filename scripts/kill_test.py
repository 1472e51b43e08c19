#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kill harness behind scripts/kill-test.sh (docs/reliability.md).

Runs one small seeded DPG run without interruption (the reference), then the same run again,
killing `dpg run` / `dpg resume` with SIGKILL at N random moments and resuming it each time. The
moments are aimed, in a seeded order, at the stages of a step: generation, the inner run, the
reverse pass, the update, the store commit and the checkpoint write. `dpg -v` logs each stage as it
starts (core/log/log.h, log::stage), so the harness knows where each kill landed; $DPG_WINDOW_MS
holds the two short windows (a commit before its COMMIT, a checkpoint before its rename) open long
enough to be hit. After every kill it checks:
  - PRAGMA integrity_check is ok;
  - at most the step in flight was lost: the store holds every step committed before the kill,
    and the resume starts right after the newest committed step;
  - every committed checkpoint row points at an intact file (SHA-256), so no half-written
    checkpoint can be loaded;
and at the end that the steps table (and every sample) equals the reference, value for value.
Exit status 0 when every check holds; each failed check is one line on stderr.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import store_check

SETTINGS = [
    "grpo.prompts_per_step=4", "grpo.minibatch_prompts=4", "grpo.max_new_tokens=24",
    "inner.T=4", "validation.every=10", "validation.prompts=4", "validation.T=4",
    "checkpoint_every=1", "threads=1",
]
STAGES = ["generation", "inner run", "reverse pass", "update", "store commit", "checkpoint write"]
WINDOWS = {"store commit": re.compile(r"store: step \d+ written, not yet committed"),
           "checkpoint write": re.compile(r"file .*\.tmp written, not yet renamed")}
MARK = re.compile(r"^\[(\d+-\d+-\d+ \d+):(\d+):(\d+\.\d+)\] \[debug\] (.*)$")


Failure = store_check.Failure


def stage_of(text, state):
    """The stage a trace line starts, or None; @p state tracks whether a validation runs."""
    m = re.match(r"step (\d+): (generation|inner run|update|validation|checkpoint write|"
                 r"store commit|committed)", text)
    if m:
        name = m.group(2)
        state["step"] = int(m.group(1))
        state["validating"] = name == "validation"
        if name == "committed":
            state["committed"] = int(m.group(1))
            return "between steps"
        return name
    if text.startswith("reverse pass"):
        return "validation" if state.get("validating") else "reverse pass"
    for name, pattern in WINDOWS.items():
        if pattern.match(text):
            return name + " (window)"
    return None


class Trace:
    """The stage marks a dpg process has written to its stdout so far."""

    def __init__(self, path):
        self.path, self.offset, self.partial = path, 0, ""
        self.state, self.marks = {}, []  # marks: (seconds, stage, step)

    def poll(self):
        with open(self.path, "r", errors="replace") as f:
            f.seek(self.offset)
            data = f.read()
            self.offset = f.tell()
        lines = (self.partial + data).split("\n")
        self.partial = lines.pop()
        new = []
        for line in lines:
            m = MARK.match(line)
            if not m:
                continue
            stage = stage_of(m.group(4), self.state)
            if stage:
                t = int(m.group(2)) * 60 + float(m.group(3))
                new.append((t, stage, self.state.get("step", 0)))
        self.marks += new
        return new


def dpg_cmd(args, sub):
    return [args.dpg, "-v"] + sub + ["--db", str(args.db)]


def start(args, sub, log_stem, window=True):
    env = dict(os.environ, DPG_WINDOW_MS=str(args.window_ms if window else 0))
    out = open(f"{log_stem}.trace", "w")
    err = open(f"{log_stem}.err", "w")
    proc = subprocess.Popen(dpg_cmd(args, sub), stdout=out, stderr=err, env=env)
    return proc, Trace(f"{log_stem}.trace")


def run_cmd(args):
    return ["run", "--preset", "67-tiny", "--set", f"seed={args.seed}",
            "--set", f"grpo.steps={args.steps}"] + sum((["--set", s] for s in SETTINGS), [])


def check_store(db, out):
    last = store_check.check(db)
    out["tmp_files"] = len(list(Path(str(db) + "-checkpoints").rglob("*.tmp")))
    return last


def durations(marks):
    """Mean seconds from each stage's mark to the next mark, per stage."""
    spans = {}
    for (t0, stage, _), (t1, _, _) in zip(marks, marks[1:]):
        spans.setdefault(stage, []).append(max(0.0, t1 - t0))
    return {k: sum(v) / len(v) for k, v in spans.items()}


def reference(args):
    proc = subprocess.Popen([args.dpg, "-v"] + run_cmd(args) + ["--db", str(args.ref)],
                            stdout=open(args.work / "reference.trace", "w"),
                            stderr=open(args.work / "reference.err", "w"))
    trace = Trace(args.work / "reference.trace")
    if proc.wait() != 0:
        raise Failure(f"the reference run failed: {(args.work / 'reference.err').read_text()}")
    trace.poll()
    return durations(trace.marks)


def wait_for(proc, trace, stage, min_step, deadline):
    """Polls @p trace until @p stage starts at a step >= @p min_step; returns the mark."""
    mark_name = stage + " (window)" if stage in WINDOWS else stage
    while time.time() < deadline:
        for mark in trace.poll():
            if mark[1] == mark_name and mark[2] >= min_step:
                return mark
        if proc.poll() is not None:
            raise Failure(f"dpg exited ({proc.returncode}) before the {stage} of step {min_step}")
        time.sleep(0.001)
    raise Failure(f"no {stage} of step {min_step} within the time limit")


def one_kill(args, k, stage, rng, spans, resume_at):
    """Kill @p k, aimed at @p stage; @p resume_at: the step the process must start at."""
    sub = run_cmd(args) if k == 0 else ["resume", "1"]
    proc, trace = start(args, sub, args.work / f"kill-{k:02d}")
    target = resume_at + rng.randint(0, 1)
    wait_for(proc, trace, stage, target, time.time() + 300)
    window = args.window_ms / 1000 if stage in WINDOWS else spans.get(stage, 0.05)
    time.sleep(rng.uniform(0, 0.8 * window))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    trace.poll()
    if proc.returncode != -signal.SIGKILL:
        raise Failure(f"kill {k}: dpg ended with {proc.returncode} before the kill")
    if k > 0 and resume_step(args.work / f"kill-{k:02d}.err") != resume_at:
        raise Failure(f"the resume before kill {k} starts at step "
                      f"{resume_step(args.work / f'kill-{k:02d}.err')}, not {resume_at}")
    landed = trace.marks[-1][1].replace(" (window)", "") if trace.marks else "startup"
    in_flight = trace.state.get("step", resume_at)
    committed = trace.state.get("committed", resume_at - 1)
    info = {}
    last = check_store(args.db, info)
    if last not in (committed, committed + 1) or (last == committed + 1 and landed != "store commit"):
        raise Failure(f"kill {k} in the {landed} of step {in_flight}: {committed} steps were "
                      f"committed before it, the store holds {last}")
    return {"k": k, "aimed": stage, "landed": landed, "step": in_flight, "kept": last,
            "lost": in_flight - last if in_flight > last else 0, "tmp": info["tmp_files"]}


def resume_step(err_file):
    m = re.search(r"resuming run 1 at step (\d+)", Path(err_file).read_text())
    return int(m.group(1)) if m else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("kills", nargs="?", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dpg", default=str(Path(__file__).resolve().parent.parent / "build/bin/dpg"))
    p.add_argument("--work", default="", help="folder for the stores and logs (default: a new one)")
    p.add_argument("--window-ms", type=int, default=150)
    args = p.parse_args()
    args.steps = max(8, 2 * args.kills + 6)
    args.work = Path(args.work or subprocess.check_output(["mktemp", "-d"], text=True).strip())
    args.work.mkdir(parents=True, exist_ok=True)
    args.db, args.ref = args.work / "killed.db", args.work / "reference.db"
    for f in list(args.work.glob("*.db*")) + list(args.work.glob("*.trace")):
        subprocess.run(["rm", "-rf", str(f)], check=True)
    rng = random.Random(args.seed)
    plan = []  # each stage once in every six kills, in a seeded order
    while len(plan) < args.kills:
        plan += rng.sample(STAGES, len(STAGES))
    plan = plan[:args.kills]
    t0 = time.time()
    try:
        spans = reference(args)
        results = []
        for k, stage in enumerate(plan):
            results.append(one_kill(args, k, stage, rng, spans,
                                    results[-1]["kept"] + 1 if results else 1))
            r = results[-1]
            print(f"kill {k + 1:2d}/{args.kills}: aimed at the {r['aimed']}, landed in the "
                  f"{r['landed']} of step {r['step']}; store keeps {r['kept']} steps; "
                  f"lost {r['lost']}; {r['tmp']} temporary file(s) left", flush=True)
        proc, _ = start(args, ["resume", "1"], args.work / "final")
        if proc.wait() != 0:
            raise Failure(f"the final resume failed: {(args.work / 'final.err').read_text()}")
        at = resume_step(args.work / "final.err")
        if results and at != results[-1]["kept"] + 1:
            raise Failure(f"the final resume starts at step {at}, not {results[-1]['kept'] + 1}")
        check_store(args.db, {})
        store_check.same(args.db, args.ref, args.steps)
    except Failure as e:
        print(f"kill-test: FAILED: {e} (logs in {args.work})", file=sys.stderr)
        return 1
    landed = Counter(r["landed"] for r in results)
    print(f"kill-test: {args.kills} kills (seed {args.seed}), {args.steps} steps, "
          f"{time.time() - t0:.0f} s; landed: "
          + ", ".join(f"{n} {s}" for s, n in landed.most_common())
          + f"; steps lost: {sum(r['lost'] for r in results)} (at most the one in flight each); "
          "integrity_check ok after every kill; every committed checkpoint intact; "
          "the final steps and samples equal the uninterrupted run's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
