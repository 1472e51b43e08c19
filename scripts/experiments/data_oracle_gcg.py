#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stronger "what can data alone do" search for 67-tiny than data_oracle.py's random hill-climb.

Greedy coordinate search guided by the metagradient with respect to the bytes themselves: the 64 responses are
one-hot rows X (printable ASCII only), the target is trained on them with the preset's inner AdamW through a
differentiable unroll (the input embeddings are X @ W_emb, the labels are the soft rows X), and dPhi/dX ranks, for
every byte position, which replacement bytes should raise Phi most. Each iteration draws --cands single-byte swaps
from the top --topk per position, scores each exactly (data_oracle.train_and_score) and keeps the best if Phi rises.
With --orders K the score is the mean over K random orders of the 64 texts, drawn afresh each iteration (the current
texts are re-scored under the same orders), so the search looks for data that draws the image whatever the order in
which the inner run sees it, as a validation on fresh samples needs; the gradient then comes from one of the orders.
  .venv/bin/python scripts/experiments/data_oracle_gcg.py [--iters 150] [--sharpness 20] [--target-db STORE] [--T 8] [--lr 1e-2] [--dim-offset 0] [--orders 0]
"""
import argparse
import pathlib
import random

import torch
from torch.func import functional_call

import data_oracle as oracle

PRINTABLE = list(range(32, 127))


def soft_phi(model, p0, y, X, mask, s, T, lr):
    """Phi as a differentiable function of the one-hot data X [N, L, V] (the inner run of train_and_score)."""
    return oracle.phi_of(soft_delta(model, p0, y, X, mask, T, lr), y, s)


def soft_delta(model, p0, y, X, mask, T, lr):
    """P_T - P_0 over the image (the layout of Y) as a differentiable function of the rows X [N, L, V], which may
    be one-hot bytes or any distributions over them (data_oracle_soft.py)."""
    N, L, _ = X.shape
    B = N // T

    def step_loss(p, t):
        xb, mb = X[t * B : (t + 1) * B], mask[t * B : (t + 1) * B]
        emb = xb[:, :-1] @ p[oracle.HEAD]
        logits = functional_call(model, p, (), {"inputs_embeds": emb}).logits
        nll = -(xb[:, 1:] * torch.log_softmax(logits, -1)).sum(-1)
        return (nll * mb[:, 1:]).sum() / L / B

    p = oracle.inner_adamw(p0, T, step_loss, lr, create_graph=True)
    return oracle.patch_delta(p, p0, y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=150)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--target-db", help="take Y from the 'target' snapshot of this dpg store instead of \"67\"")
    ap.add_argument("--T", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--dim-offset", type=int, default=0, help="first hidden dimension of the image (objective dim_offset)")
    ap.add_argument("--token-offset", type=int, default=33, help="first token id of the image (objective token_offset)")
    ap.add_argument("--orders", type=int, default=0, help="score over this many random text orders (0: as written)")
    ap.add_argument("--topk", type=int, default=8)
    ap.add_argument("--cands", type=int, default=24)
    ap.add_argument("--out", help="write the final texts and sign(P_T - P_0) == Y per pixel here (JSON)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    random.seed(a.seed)
    oracle.DIM_OFFSET = a.dim_offset
    oracle.TOKEN_OFFSET = a.token_offset
    model, p0 = oracle.load_target()
    model.config._attn_implementation = "eager"  # math attention: the search differentiates twice
    y = oracle.load_y(a.target_db)
    lines = [s.strip() for s in (oracle.ROOT / "resources/prompts/tiny-train.txt").open() if s.strip()]
    texts = [(random.choice(lines) + " " + random.choice(lines)).ljust(48)[:48] for _ in range(64)]
    V = p0["transformer.wte.weight"].shape[0]
    allowed = torch.full((V,), float("-inf"))
    allowed[PRINTABLE] = 0.0
    orders = [list(range(64))]

    def score(ts):
        """(accuracy, Phi) averaged over the current orders of the texts."""
        r = [oracle.train_and_score(model, p0, y, [ts[k] for k in o], a.sharpness, a.T, a.lr) for o in orders]
        return sum(x[0] for x in r) / len(r), sum(x[1] for x in r) / len(r)

    acc, best = score(texts)
    print(f"start: accuracy {acc:.3f} phi {best:.4f}", flush=True)
    for it in range(1, a.iters + 1):
        if a.orders > 0:
            orders = [random.sample(range(64), 64) for _ in range(a.orders)]
            acc, best = score(texts)
        tok, mask = oracle.batch(texts)
        X = torch.nn.functional.one_hot(tok, V).float().requires_grad_(True)
        o = torch.tensor(orders[0])
        phi = soft_phi(model, p0, y, X[o], mask[o], a.sharpness, a.T, a.lr)
        (g,) = torch.autograd.grad(phi, X)
        gain = g[:, 1:49, :] - g[:, 1:49, :].gather(-1, tok[:, 1:49, None])  # first-order gain of each swap
        top = (gain + allowed).topk(a.topk, -1).indices  # [64, 48, topk]
        cand_best = None
        for _ in range(a.cands):
            i, j = random.randrange(64), random.randrange(48)
            b = int(top[i, j, random.randrange(a.topk)])
            s = list(texts[i])
            s[j] = chr(b)
            cand = texts[:]
            cand[i] = "".join(s)
            c_acc, c_phi = score(cand)
            if cand_best is None or c_phi > cand_best[0]:
                cand_best = (c_phi, c_acc, cand)
        if cand_best[0] > best:
            best, acc, texts = cand_best
        print(f"iter {it}: accuracy {acc:.3f} phi {best:.4f}", flush=True)
    print("examples:", *texts[:5], sep="\n  ")
    if a.out:
        import json

        _, _, delta = oracle.train_and_score(model, p0, y, texts, a.sharpness, a.T, a.lr, return_delta=True)
        rec = {"texts": texts, "accuracy": acc, "phi": best, "y": y.tolist(), "delta": delta.tolist()}
        pathlib.Path(a.out).write_text(json.dumps(rec))


if __name__ == "__main__":
    main()
