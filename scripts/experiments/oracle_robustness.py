#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How robust is a data-search solution (data_oracle_gcg.py --out) to what fresh samples change?

Validation trains the target on *fresh* samples, so a policy must draw the image from any draw of its distribution,
not from one fixed list in one fixed order. This re-scores a solution's 64 texts (a) in K random orders (the inner
run's T batches see other texts) and (b) as K bootstrap resamples (64 draws with replacement: a distribution that
puts mass 1/64 on each text), and prints the pixel accuracy of each set and the per-pixel hit rate.
  .venv/bin/python scripts/experiments/oracle_robustness.py OUT.json [--k 40] [--dim-offset 0] [--sharpness 60]
"""
import argparse
import json
import random

import torch

import data_oracle as oracle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--k", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dim-offset", type=int, default=0)
    ap.add_argument("--sharpness", type=float, default=60.0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    random.seed(a.seed)
    oracle.DIM_OFFSET = a.dim_offset
    rec = json.load(open(a.out))
    texts, y = rec["texts"], torch.tensor(rec["y"])
    model, p0 = oracle.load_target()
    acc0, _ = oracle.train_and_score(model, p0, y, texts, a.sharpness)
    print(f"as found: {acc0:.3f}")
    for name, draw in (("shuffled", lambda: random.sample(texts, len(texts))),
                       ("bootstrap", lambda: [random.choice(texts) for _ in texts])):
        accs, hits = [], torch.zeros_like(y)
        for _ in range(a.k):
            acc, _, delta = oracle.train_and_score(model, p0, y, draw(), a.sharpness, return_delta=True)
            accs.append(acc)
            hits += (torch.sign(delta) == y).float()
        t = torch.tensor(accs)
        full = int((t == 1.0).sum())
        print(f"{name}: mean {t.mean():.3f} sd {t.std():.3f} min {t.min():.3f}; 42/42 in {full} of {a.k}")
        print("  pixel hit rate %:", *(" ".join(f"{int(100 * v / a.k):3d}" for v in row) for row in hits.tolist()),
              sep="\n  ")


if __name__ == "__main__":
    main()
