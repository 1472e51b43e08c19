#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How far can *any* data push a bitmap objective, with the bytes relaxed to continuous distributions?

data_oracle_gcg.py searches byte by byte. This script drops the discreteness: every byte position of the N training
texts is a softmax over the printable ASCII bytes (logits Z, one row a position), the texts' one-hot rows become
those distributions (input embeddings X @ W_emb, soft labels X), and Z is trained with Adam on Phi through the whole
differentiable inner AdamW run (data_oracle_gcg.soft_delta, the same unroll the GCG search uses).
A softmax temperature annealed from --tau0 to --tau1 pushes the distributions toward one-hot bytes as it goes.
With --straight-through the inner run trains on the argmax bytes themselves (real texts) and only the gradient
goes through the softmax, so the printed "relaxed" accuracy is then a real text's.

It prints the relaxed run's pixel accuracy (the soft texts trained on as they are) and, every --every iterations,
the accuracy of the argmax texts, trained on as real bytes. The relaxed accuracy is what a mixture of texts could
reach; where it stays far below a target, no text can be expected to reach it under that inner run, and the argmax
accuracy is a real text's.
  .venv/bin/python scripts/experiments/data_oracle_soft.py --target-db STORE [--iters 400] [--T 8] [--n 64]
      [--target tiny-target] [--lr-z 0.1] [--sharpness 20] [--token-offset 33] [--out FILE.json]
"""
import argparse
import json
import pathlib
import random
import time

import torch

import data_oracle as oracle
from data_oracle_gcg import soft_delta

PRINTABLE = list(range(32, 127))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target-db", help="take Y from the 'target' snapshot of this dpg store instead of \"67\"")
    ap.add_argument("--target", default="tiny-target", help="folder under resources/models")
    ap.add_argument("--iters", type=int, default=400)
    ap.add_argument("--T", type=int, default=8, help="inner steps; the --n texts are split into T batches")
    ap.add_argument("--n", type=int, default=64, help="texts of 48 bytes")
    ap.add_argument("--lr", type=float, default=1e-2, help="inner AdamW learning rate")
    ap.add_argument("--lr-z", type=float, default=0.1, help="Adam learning rate on the byte logits")
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--token-offset", type=int, default=33, help="first token id of the image (objective token_offset)")
    ap.add_argument("--tau0", type=float, default=1.0)
    ap.add_argument("--tau1", type=float, default=0.2)
    ap.add_argument("--straight-through", action="store_true",
                    help="train on the argmax bytes (real texts) and take the gradient through the softmax")
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", help="write the argmax texts and the accuracies here (JSON)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    oracle.TOKEN_OFFSET = a.token_offset
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    model, p0 = oracle.load_target(a.target)
    model.config._attn_implementation = "eager"  # math attention: differentiated twice
    y = oracle.load_y(a.target_db)
    V = p0[oracle.HEAD].shape[0]
    N, R = a.n, 48

    # Start from corpus text, as the GCG search does: Z puts a margin of 2 on each starting byte.
    lines = [s.strip() for s in (oracle.ROOT / "resources/prompts/tiny-train.txt").open() if s.strip()]
    texts = [(random.choice(lines) + " " + random.choice(lines)).ljust(R)[:R] for _ in range(N)]
    tok, mask = oracle.batch(texts)
    Z = torch.zeros(N, R, len(PRINTABLE))
    for i, s in enumerate(texts):
        for j, ch in enumerate(s.encode()[:R]):
            Z[i, j, PRINTABLE.index(ch) if ch in PRINTABLE else 0] = 2.0
    Z.requires_grad_(True)
    opt = torch.optim.Adam([Z], lr=a.lr_z)
    fixed = torch.nn.functional.one_hot(tok, V).float()  # BOS and EOS/padding stay as they are
    cols = torch.tensor(PRINTABLE)

    def soft_x(tau):
        x = fixed.clone()
        probs = torch.softmax(Z / tau, -1)
        if a.straight_through:  # forward: one-hot argmax bytes; backward: the softmax's gradient
            hard = torch.nn.functional.one_hot(probs.argmax(-1), len(PRINTABLE)).float()
            probs = hard + probs - probs.detach()
        x[:, 1 : 1 + R, :] = 0
        x[:, 1 : 1 + R, cols] = probs
        return x

    def relaxed_phi(x):
        delta = soft_delta(model, p0, y, x, mask, a.T, a.lr)
        return oracle.phi_of(delta, y, a.sharpness), (torch.sign(delta.detach()) == y).float().mean().item()

    def argmax_texts():
        idx = Z.detach().argmax(-1)
        return ["".join(chr(PRINTABLE[int(k)]) for k in row) for row in idx]

    log = []
    best = (-1.0, None)
    t0 = time.time()
    for it in range(a.iters + 1):
        tau = a.tau0 * (a.tau1 / a.tau0) ** (it / max(1, a.iters))
        phi, acc = relaxed_phi(soft_x(tau))
        rec = {"iter": it, "tau": tau, "phi": phi.item(), "relaxed_accuracy": acc}
        if it % a.every == 0 or it == a.iters:
            ts = argmax_texts()
            hard_acc, hard_phi = oracle.train_and_score(model, p0, y, ts, a.sharpness, a.T, a.lr)
            rec.update(argmax_accuracy=hard_acc, argmax_phi=hard_phi)
            if hard_acc > best[0]:
                best = (hard_acc, ts)
            print(f"iter {it} ({time.time() - t0:.0f} s): tau {tau:.3f} relaxed phi {phi.item():.4f} "
                  f"accuracy {acc:.3f} | argmax texts: accuracy {hard_acc:.3f} phi {hard_phi:.4f}", flush=True)
        log.append(rec)
        if it == a.iters:
            break
        opt.zero_grad()
        (-phi).backward()
        opt.step()
    print("best argmax accuracy", f"{best[0]:.3f}", "examples:", *best[1][:4], sep="\n  ")
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps({"args": vars(a), "log": log, "best_argmax_accuracy": best[0],
                                                   "best_texts": best[1]}))


if __name__ == "__main__":
    main()
