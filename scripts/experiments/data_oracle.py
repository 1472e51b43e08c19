#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How far can *data alone* push the 67-tiny pixel accuracy? A hill-climb over 64 responses of 48 bytes.

No generator: the script mutates the text directly (1-4 random bytes of one response per try, from an alphabet of
the patch bytes !"#$%&' plus lowercase letters, space, '.' and ','), retrains the bundled tiny target with the
preset's inner AdamW (T 8 x B 8, lr 1e-2, betas 0.9/0.95, eps 1e-8, eps_root 1e-9, wd 1e-4, BOS + bytes + EOS,
token losses summed / 64) and keeps a mutation when Phi = -mean softplus(-s Y (P_T - P_0)) improves (s = 20 as in
the preset unless --sharpness says otherwise). It gives a
lower bound on what a perfect generator could reach with 48-byte texts, for docs/results.md.
  .venv/bin/python scripts/experiments/data_oracle.py [--iters 1500] [--seed 2] [--start corpus|random] [--sharpness 20] [--T 8] [--lr 1e-2] [--single]
  .venv/bin/python scripts/experiments/data_oracle.py --check-store runs/experiments/b-adam-s2.db
"""
import argparse
import json
import pathlib
import random

import torch
from safetensors.torch import load_file
from torch.func import functional_call
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
Y67 = ["####...", "...###.", ".#####.", "...###.", ".#.###.", "...####"]  # rows: hidden dims 0-5, cols: ids 33-39
TOKEN_OFFSET, L = 33, 64
DIM_OFFSET = 0  # objective.params.dim_offset; --dim-offset changes it


def load_target(name="tiny-target"):
    d = ROOT / "resources/models" / name
    cfg = json.loads((d / "config.json").read_text())
    cfg.pop("dpg_metadata", None)
    cfg.pop("dpg_tokenizer", None)
    model = GPT2LMHeadModel(GPT2Config(**cfg))
    # The file holds the GPT-2 body's names without the "transformer." prefix; load it strictly into the body so a
    # key mismatch cannot silently leave the target at its random initialisation.
    model.transformer.load_state_dict(load_file(str(d / "model.safetensors")), strict=True)
    return model.eval(), {k: v.detach().clone() for k, v in model.named_parameters()}


def load_y(target_db=None):
    """Y in {-1, +1} [hidden dims, tokens]: the "67" image, or the "target" snapshot of a run in a dpg store
    (e.g. a one-step qr-tiny run), so any bitmap objective can be searched."""
    if not target_db:
        return torch.tensor([[1.0 if c == "#" else -1.0 for c in r] for r in Y67])
    import sqlite3

    import numpy as np

    rows, cols, data = sqlite3.connect(target_db).execute(
        "select rows, cols, data from snapshots where kind = 'target' order by run_id limit 1"
    ).fetchone()
    return torch.from_numpy(np.frombuffer(data, dtype=np.float32).reshape(rows, cols).copy()).sign()


def batch(texts):
    tok = torch.full((len(texts), L), 256)
    mask = torch.zeros(len(texts), L)
    for i, s in enumerate(texts):
        b = list(s.encode())[: L - 1]
        tok[i, 1 : 1 + len(b)] = torch.tensor(b, dtype=torch.long)
        mask[i, 1 : 2 + len(b)] = 1  # the bytes and the EOS after them
    return tok, mask[:, :L]


HEAD = "transformer.wte.weight"  # tied: the LM head


def inner_adamw(p0, T, step_loss, lr=1e-2, b1=0.9, b2=0.95, eps=1e-8, eps_root=1e-9, wd=1e-4, create_graph=False):
    """The preset's inner AdamW for T steps from p0; step_loss(p, t) is step t's loss. With create_graph the whole
    run stays differentiable (data_oracle_gcg.py takes dPhi/d(data) through it); otherwise each step is detached."""
    p = {k: x.clone().requires_grad_(True) for k, x in p0.items()}
    m = {k: torch.zeros_like(x) for k, x in p0.items()}
    v = {k: torch.zeros_like(x) for k, x in p0.items()}
    for t in range(T):
        grads = torch.autograd.grad(step_loss(p, t), list(p.values()), create_graph=create_graph)
        new = {}
        for (k, x), g in zip(p.items(), grads):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            mh, vh = m[k] / (1 - b1 ** (t + 1)), v[k] / (1 - b2 ** (t + 1))
            x_new = x * (1 - lr * wd) - lr * mh / (torch.sqrt(vh + eps_root) + eps)
            new[k] = x_new if create_graph else x_new.detach().requires_grad_(True)
        p = new
    return p


def patch_delta(p, p0, y):
    """P_T - P_0 as [hidden dims, tokens], the layout of Y."""
    return (p[HEAD] - p0[HEAD])[TOKEN_OFFSET : TOKEN_OFFSET + y.shape[1], DIM_OFFSET : DIM_OFFSET + y.shape[0]].T


def phi_of(delta, y, s):
    return -torch.nn.functional.softplus(-s * y * delta).mean()


def train_and_score(model, p0, y, texts, s=20.0, T=8, lr=1e-2, return_delta=False):
    tok, mask = batch(texts)
    B = len(texts) // T

    def step_loss(p, t):
        tb, mb = tok[t * B : (t + 1) * B], mask[t * B : (t + 1) * B]
        logits = functional_call(model, p, (tb[:, :-1],)).logits
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), tb[:, 1:], reduction="none")
        return (nll * mb[:, 1:]).sum() / L / B

    delta = patch_delta(inner_adamw(p0, T, step_loss, lr), p0, y).detach()
    acc = (torch.sign(delta) == y).float().mean().item()
    phi = phi_of(delta, y, s).item()
    return (acc, phi, delta) if return_delta else (acc, phi)


def mix(seed, step, stream):
    """The engine's splitmix64 stream seed (core/dpg/dpg_run.cpp)."""
    m = (1 << 64) - 1
    z = (seed + 0x9E3779B97F4A7C15 * (step * 16 + stream + 1)) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def check_against_store(model, p0, y, db, steps=3):
    """Re-trains on the samples a 67-tiny run stored for its first steps, in the engine's seeded cross-group
    order, and prints the engine's train Phi and metric beside ours: the oracle's inner run must match."""
    import sqlite3

    c = sqlite3.connect(db)
    cfg = json.loads(c.execute("select config_json from runs where id = 1").fetchone()[0])
    for step in range(1, steps + 1):
        texts = [r for (r,) in c.execute("select response from samples where run_id = 1 and step = ? order by idx", (step,))]
        g = torch.Generator()
        g.manual_seed(mix(int(cfg["seed"]), step, 2))
        perm = torch.randperm(len(texts), generator=g).tolist()
        phi_db, metric_db = c.execute("select phi, metric from steps where run_id = 1 and step = ?", (step,)).fetchone()
        acc, phi = train_and_score(model, p0, y, [texts[i] for i in perm])
        print(f"step {step}: engine phi {phi_db:.6f} metric {metric_db:.3f} | oracle phi {phi:.6f} metric {acc:.3f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--start", choices=["corpus", "random"], default="corpus")
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--check-store", help="compare the inner run with the engine's on a 67-tiny store, then exit")
    ap.add_argument("--target-db", help="take Y from the 'target' snapshot of this dpg store instead of \"67\"")
    ap.add_argument("--T", type=int, default=8, help="inner steps (the 64 texts are split into T batches)")
    ap.add_argument("--lr", type=float, default=1e-2, help="inner AdamW learning rate")
    ap.add_argument("--dim-offset", type=int, default=0, help="first hidden dimension of the image (objective dim_offset)")
    ap.add_argument("--single", action="store_true", help="one text repeated 64 times (what a collapsed generator writes)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    random.seed(a.seed)
    global DIM_OFFSET
    DIM_OFFSET = a.dim_offset
    model, p0 = load_target()
    y = load_y(a.target_db)
    if a.check_store:
        check_against_store(model, p0, y, a.check_store)
        return
    alphabet = " !\"#$%&'abcdefghijklmnopqrstuvwxyz.,"
    lines = [s.strip() for s in (ROOT / "resources/prompts/tiny-train.txt").open() if s.strip()]
    if a.start == "random":
        texts = ["".join(random.choice(alphabet) for _ in range(48)) for _ in range(64)]
    else:
        texts = [(random.choice(lines) + " " + random.choice(lines)).ljust(48)[:48] for _ in range(64)]
    if a.single:
        texts = [texts[0]] * 64
    acc, best = train_and_score(model, p0, y, texts, a.sharpness, a.T, a.lr)
    print(f"start: accuracy {acc:.3f} phi {best:.4f}", flush=True)
    for it in range(1, a.iters + 1):
        i = random.randrange(64)
        s = list(texts[i])
        for _ in range(random.choice([1, 1, 2, 4])):
            s[random.randrange(48)] = random.choice(alphabet)
        cand = texts[:]
        cand[i] = "".join(s)
        if a.single:
            cand = [cand[i]] * 64
        c_acc, c_phi = train_and_score(model, p0, y, cand, a.sharpness, a.T, a.lr)
        if c_phi > best:
            best, texts, acc = c_phi, cand, c_acc
        if it % 100 == 0:
            print(f"iter {it}: accuracy {acc:.3f} phi {best:.4f}", flush=True)
    print("examples:", *texts[:5], sep="\n  ")


if __name__ == "__main__":
    main()
