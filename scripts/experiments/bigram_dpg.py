#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""DPG with an idealised generator: is the QR's ceiling the generator or the inner problem? (docs/results.md (c))

The data oracles (data_oracle_*.py) optimise one fixed set of texts, and their images hold only in the order they
were found. A generator is judged differently: its validation trains the target on *fresh samples in a fresh
order*. This script runs the DPG loop itself with the simplest generator that can place bytes in context, a
bigram table over the printable bytes (pi(x_t | x_{t-1}) = softmax(S[x_{t-1}]), started from the corpus's bigram
counts), so the only question left is whether per-example metagradient rewards can find a text *distribution*
whose samples draw the image:
  each step samples N texts of 48 bytes, trains the target on them with the preset's inner AdamW (T steps of
  B = N / T texts, per-example loss weights w), takes tau_i = dPhi/dw_i at w = 1 through the whole unroll
  (docs/method.md §3), turns it into the groupless advantage A_i = (tau_i - mean tau) / (std tau + 1e-6) (the
  naive baseline's normalisation; every text has its own reward here) and takes one Adam step on S along
  mean_i A_i * log pi(text_i) / 48 (REINFORCE), minus --kl times the KL to the corpus bigram;
  with --pathwise the same bigram is instead trained on the pathwise (straight-through Gumbel) gradient of Phi
  with respect to its sampled one-hot texts (data_oracle_gcg.soft_delta): not DPG, but a low-variance search for
  the best bigram *distribution*, judged by the same fresh-sample validation;
  every --every steps the validation samples --val-n fresh texts, trains on them without a graph and reports
  the pixel accuracy (mean of --repeats validations) and the fluency (NLL per byte under the corpus bigram).
  .venv/bin/python scripts/experiments/bigram_dpg.py --target-db STORE [--target tiny-target] [--n 64] [--T 8]
      [--steps 300] [--lr 0.05] [--kl 0] [--pathwise] [--out FILE.json] [--save F.pt] [--load F.pt]
"""
import argparse
import json
import pathlib
import random
import time

import torch
from torch.func import functional_call

import data_oracle as oracle
import qr_layout

PRINTABLE = list(range(32, 127))
R = 48  # response bytes, as the presets' min_new_tokens


def corpus_bigram(alpha=0.1):
    """Log-probabilities of the first byte and of each byte after each byte, from the training prompts."""
    first = torch.full((95,), alpha)
    pair = torch.full((95, 95), alpha)
    for line in (oracle.ROOT / "resources/prompts/tiny-train.txt").open():
        b = [c - 32 for c in line.strip().encode() if 32 <= c < 127]
        if b:
            first[b[0]] += 1
            for u, v in zip(b, b[1:]):
                pair[u, v] += 1
            pair[b[-1], 0] += 1  # a space joins one line to the next
    return first.log() - first.sum().log(), pair.log() - pair.sum(-1, keepdim=True).log()


def sample(s0, S, n, gen):
    """n texts from the bigram policy, as [n, R] indices into PRINTABLE."""
    x = torch.empty(n, R, dtype=torch.long)
    x[:, 0] = torch.multinomial(torch.softmax(s0, -1).expand(n, -1), 1, generator=gen)[:, 0]
    for t in range(1, R):
        x[:, t] = torch.multinomial(torch.softmax(S[x[:, t - 1]], -1), 1, generator=gen)[:, 0]
    return x


def log_prob(s0, S, x):
    """log pi(text) per text: sum over the R bytes."""
    lp0 = torch.log_softmax(s0, -1)[x[:, 0]]
    lps = torch.log_softmax(S, -1)[x[:, :-1], x[:, 1:]].sum(-1)
    return lp0 + lps


def sample_st(s0, S, n, gen, tau=1.0):
    """n texts as straight-through Gumbel one-hot rows [n, R, 95]: forward the sampled bytes, backward the softmax's
    gradient into s0 and S (each row's logits are the previous row @ S, so the choice of a byte also carries it)."""
    rows = []
    logits = s0.expand(n, -1)
    for _ in range(R):
        g = -torch.log(-torch.log(torch.rand(n, 95, generator=gen).clamp_min(1e-20)))
        soft = torch.softmax((logits + g) / tau, -1)
        hard = torch.nn.functional.one_hot(soft.argmax(-1), 95).float()
        row = hard + soft - soft.detach()
        rows.append(row)
        logits = row @ S
    return torch.stack(rows, 1)


def pathwise_phi(model, p0, y, rows, s, T, lr):
    """Phi of the straight-through texts, differentiable in their rows (the inner run of data_oracle_gcg)."""
    from data_oracle_gcg import soft_delta

    x = rows.detach().argmax(-1)
    tok, mask = oracle.batch(texts_of(x))
    X = torch.nn.functional.one_hot(tok, p0[oracle.HEAD].shape[0]).float()
    X[:, 1 : 1 + R, :] = 0
    X[:, 1 : 1 + R, 32:127] = rows
    return oracle.phi_of(soft_delta(model, p0, y, X, mask, T, lr), y, s), x


def texts_of(x):
    return ["".join(chr(PRINTABLE[int(k)]) for k in row) for row in x]


def weighted_phi(delta, y, s, weight):
    """Phi = -sum_m weight_m softplus(-s y_m delta_m) / sum_m weight_m: the preset's Phi when every weight is 1."""
    return -(weight * torch.nn.functional.softplus(-s * y * delta)).sum() / weight.sum()


def scan_weight(delta, y, s, drop):
    """A scan-aware weight (--scan-aware K): EC level H corrects any 8 of a version-1 code's 26 codewords and zbar
    reads the timing lines from the finders, so the timing modules and the K codewords that this inner run draws
    worst (lowest mean sigmoid(s y delta)) get weight 0, every other module 1."""
    cw = torch.from_numpy(qr_layout.codeword_map())
    soft = torch.sigmoid(s * y * delta.detach())
    score = torch.stack([soft[cw == k].mean() for k in range(26)])
    weight = torch.ones_like(y)
    weight[torch.from_numpy(qr_layout.function_masks()["timing"])] = 0
    for k in score.argsort()[:drop].tolist():
        weight[cw == k] = 0
    return weight


def scans(delta):
    """Whether zbarimg decodes the sign image sign(delta) (dark = positive), as `dpg export --png` writes it."""
    import qr_tolerance

    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        qr_tolerance.write_png(f.name, (delta > 0).numpy().astype("uint8"))
        return qr_tolerance.decodes(f.name)[0]


def tau_of(model, p0, y, texts, s, T, lr, drop=0):
    """(Phi, tau) for texts in this order: tau_i = dPhi/dw_i at w = 1 through the unrolled inner AdamW."""
    tok, mask = oracle.batch(texts)
    N = len(texts)
    B = N // T
    w = torch.ones(N, requires_grad=True)

    def step_loss(p, t):
        sl = slice(t * B, (t + 1) * B)
        logits = functional_call(model, p, (tok[sl, :-1],)).logits
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), tok[sl, 1:], reduction="none")
        return (w[sl, None] * nll * mask[sl, 1:]).sum() / oracle.L / B

    p = oracle.inner_adamw(p0, T, step_loss, lr, create_graph=True)
    delta = oracle.patch_delta(p, p0, y)
    phi = weighted_phi(delta, y, s, scan_weight(delta, y, s, drop)) if drop else oracle.phi_of(delta, y, s)
    (tau,) = torch.autograd.grad(phi, w)
    return phi.item(), tau


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target-db", help="take Y from the 'target' snapshot of this dpg store instead of \"67\"")
    ap.add_argument("--target", default="tiny-target")
    ap.add_argument("--n", type=int, default=64, help="texts a step (the preset's P x G)")
    ap.add_argument("--T", type=int, default=8)
    ap.add_argument("--inner-lr", type=float, default=1e-2)
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--lr", type=float, default=0.05, help="Adam learning rate on the bigram logits")
    ap.add_argument("--kl", type=float, default=0.0, help="coefficient of the KL to the corpus bigram")
    ap.add_argument("--pathwise", action="store_true", help="straight-through Gumbel gradient of Phi instead of DPG")
    ap.add_argument("--scan-aware", type=int, default=0, metavar="K",
                    help="QR only: Phi leaves out the timing lines and the K codewords drawn worst (scan_weight)")
    ap.add_argument("--y-npy", help="take Y from this [rows, cols] 0/1 array (1 = dark) instead")
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--val-n", type=int, help="texts a validation (default --n)")
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--save", help="write the bigram logits here at every validation (torch.save)")
    ap.add_argument("--load", help="start from bigram logits saved by --save instead of the corpus's")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    model, p0 = oracle.load_target(a.target)
    model.config._attn_implementation = "eager"  # math attention: tau differentiates the inner run twice
    if a.y_npy:
        import numpy as np

        y = torch.from_numpy(np.load(a.y_npy)).float() * 2 - 1
    else:
        y = oracle.load_y(a.target_db)
    ref0, ref = corpus_bigram()
    s0, S = (torch.load(a.load) if a.load else (ref0.clone(), ref.clone()))
    s0, S = s0.detach().requires_grad_(True), S.detach().requires_grad_(True)
    opt = torch.optim.Adam([s0, S], lr=a.lr)
    val_n = a.val_n or a.n

    def validate():
        with torch.no_grad():
            xs = [sample(s0, S, val_n, gen) for _ in range(a.repeats)]
            fluency = float(sum(-log_prob(ref0, ref, x).mean() for x in xs) / len(xs) / R)
        runs = [oracle.train_and_score(model, p0, y, texts_of(x), a.sharpness, a.T, a.inner_lr, True) for x in xs]
        accs = [r[0] for r in runs]
        qr = y.shape == (21, 21)
        n_scan = sum(scans(r[2]) for r in runs) if qr else 0
        wrong_cw = []
        if qr:  # codewords with at least one wrong module, per repeat
            cw = torch.from_numpy(qr_layout.codeword_map())
            for r in runs:
                bad = torch.sign(r[2]) != y
                wrong_cw.append(len({int(k) for k in cw[bad & (cw >= 0)].tolist()}))
        return sum(accs) / len(accs), min(accs), max(accs), fluency, texts_of(xs[0][:3]), n_scan, wrong_cw

    log, t0 = [], time.time()
    for step in range(a.steps + 1):
        if step % a.every == 0:
            acc, lo, hi, flu, ex, n_scan, wrong_cw = validate()
            if a.save:
                torch.save((s0.detach(), S.detach()), a.save)
            log.append({"step": step, "val_accuracy": acc, "val_min": lo, "val_max": hi, "fluency": flu,
                        "scans": n_scan, "wrong_codewords": wrong_cw})
            print(f"step {step} ({time.time() - t0:.0f} s): validation {acc:.3f} [{lo:.3f}, {hi:.3f}] "
                  f"fluency {flu:.2f} nats/byte, {n_scan} of {a.repeats} scan, codewords wrong {wrong_cw} "
                  f"| {ex[0]!r}", flush=True)
        if step == a.steps:
            break
        if a.pathwise:
            phi_t, x = pathwise_phi(model, p0, y, sample_st(s0, S, a.n, gen), a.sharpness, a.T, a.inner_lr)
            phi, loss = phi_t.item(), -phi_t
        else:
            with torch.no_grad():
                x = sample(s0, S, a.n, gen)
            phi, tau = tau_of(model, p0, y, texts_of(x), a.sharpness, a.T, a.inner_lr, a.scan_aware)
            advantage = (tau - tau.mean()) / (tau.std() + 1e-6)  # groupless, as the naive baseline (docs/method.md §4.2)
            loss = -(advantage * log_prob(s0, S, x)).mean() / R
        if a.kl > 0:  # KL(pi || corpus) per row, weighted by how often the policy visits the row's byte
            visits = torch.bincount(x[:, :-1].reshape(-1), minlength=95).float()
            kl_rows = (torch.softmax(S, -1) * (torch.log_softmax(S, -1) - ref)).sum(-1)
            loss = loss + a.kl * (visits / visits.sum() * kl_rows).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 5 == 0:
            print(f"  step {step}: train phi {phi:.4f}", flush=True)
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps({"args": vars(a), "log": log}))


if __name__ == "__main__":
    main()
