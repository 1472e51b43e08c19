#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarise experiment stores (runs/experiments/*.db) as one table row per run.

Per run: steps done, wall time (sum of step times), validation metric at the first and last validation, the best
validation metric and its step, the first step whose validation metric reaches --pass (default 0.75) and the
elapsed step time until then, and the fluency NLL over the first and last 10 steps. --group prints mean ± std of
the final and best validation metric per name prefix (the part before the last '-s<seed>')."""
import argparse, math, re, sqlite3, statistics, sys


def runs_of(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for rid, name, status in db.execute("SELECT id, name, status FROM runs ORDER BY id"):
        rows = db.execute("SELECT step, val_metric, fluency_nll, step_seconds, phi FROM steps WHERE run_id=? "
                          "ORDER BY step", (rid,)).fetchall()
        if not rows:
            continue
        yield name, status, rows


def summarise(name, status, rows, threshold):
    val = [(s, v) for s, v, *_ in rows if v is not None and not math.isnan(v)]
    elapsed, t_pass, step_pass = 0.0, None, None
    for s, v, _, dt, _ in rows:
        elapsed += dt or 0.0
        if step_pass is None and v is not None and not math.isnan(v) and v >= threshold:
            step_pass, t_pass = s, elapsed
    best = max(val, key=lambda sv: sv[1]) if val else (None, float("nan"))
    flu = [f for _, _, f, _, _ in rows if f is not None]
    return dict(name=name, status=status, steps=rows[-1][0], wall_min=elapsed / 60,
                val_first=val[0][1] if val else float("nan"), val_last=val[-1][1] if val else float("nan"),
                best=best[1], best_step=best[0], pass_step=step_pass,
                pass_min=None if t_pass is None else t_pass / 60,
                flu_first=statistics.mean(flu[:10]) if flu else float("nan"),
                flu_last=statistics.mean(flu[-10:]) if flu else float("nan"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dbs", nargs="+")
    ap.add_argument("--pass", dest="threshold", type=float, default=0.75)
    ap.add_argument("--group", action="store_true")
    a = ap.parse_args()
    out = [summarise(*r, a.threshold) for p in a.dbs for r in runs_of(p)]
    print(f"| run | status | steps | minutes | val first | val last | best (step) | first ≥ {a.threshold} "
          "| fluency NLL first 10 → last 10 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in out:
        ps = "never" if r["pass_step"] is None else f"step {r['pass_step']} ({r['pass_min']:.1f} min)"
        print(f"| {r['name']} | {r['status']} | {r['steps']} | {r['wall_min']:.1f} | {r['val_first']:.3f} | "
              f"{r['val_last']:.3f} | {r['best']:.3f} ({r['best_step']}) | {ps} | "
              f"{r['flu_first']:.2f} → {r['flu_last']:.2f} |")
    if a.group:
        groups = {}
        for r in out:
            groups.setdefault(re.sub(r"-s\d+$", "", r["name"]), []).append(r)
        print("\n| arm | n | final val mean ± std | best val mean ± std | passes (first step each) |")
        print("|---|---|---|---|---|")
        for g, rs in groups.items():
            f = [r["val_last"] for r in rs]
            b = [r["best"] for r in rs]
            sd = lambda x: statistics.stdev(x) if len(x) > 1 else 0.0
            steps = ", ".join("never" if r["pass_step"] is None else str(r["pass_step"]) for r in rs)
            print(f"| {g} | {len(rs)} | {statistics.mean(f):.3f} ± {sd(f):.3f} | "
                  f"{statistics.mean(b):.3f} ± {sd(b):.3f} | {steps} |")


if __name__ == "__main__":
    sys.exit(main())
