#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trains the target on a data oracle's texts and scans the sign image it draws (docs/results.md (c)).

    scan_oracle_texts.py ORACLE.json --target-db STORE.db [--target tiny-target-64] [--out DIR]

ORACLE.json is what data_oracle_soft.py --out writes (its best_texts). The target trains on them with the preset's
inner AdamW (T 8, the texts in their stored order, as the search scored them, or shuffled with --shuffle). The script writes Y and
sign(P_T - P_0) as PNG images (4-module quiet zone, 8 px a module, dark = +1; written with zlib, no imaging
library needed) and runs zbarimg on both, so the check of the orientation (Y must decode) and the result come from one run.
"""
import argparse
import json
import pathlib
import random
import struct
import subprocess
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import data_oracle as oracle  # noqa: E402


def write_png(bits, path, border=4, scale=8):
    h, w = bits.shape
    img = np.full((h + 2 * border, w + 2 * border), 255, np.uint8)
    img[border:border + h, border:border + w] = np.where(bits > 0, 0, 255)
    img = np.kron(img, np.ones((scale, scale), np.uint8))
    raw = b"".join(b"\x00" + row.tobytes() for row in img)  # filter type 0 on each row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", img.shape[1], img.shape[0], 8, 0, 0, 0, 0)  # 8-bit greyscale
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) +
                chunk(b"IEND", b""))


def scan(path):
    r = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True)
    return r.returncode, r.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("oracle_json")
    ap.add_argument("--target-db", required=True)
    ap.add_argument("--target", default="tiny-target-64")
    ap.add_argument("--T", type=int, default=8)
    ap.add_argument("--out", default=".")
    ap.add_argument("--shuffle", type=int, help="train on the texts in a random order from this seed instead")
    a = ap.parse_args()
    texts = json.loads(pathlib.Path(a.oracle_json).read_text())["best_texts"]
    if a.shuffle is not None:
        random.Random(a.shuffle).shuffle(texts)
    model, p0 = oracle.load_target(a.target)
    y = oracle.load_y(a.target_db)
    acc, phi, delta = oracle.train_and_score(model, p0, y, texts, T=a.T, return_delta=True)
    sign = torch.sign(delta).numpy()
    wrong = int((sign != y.numpy()).sum())
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    write_png(y.numpy(), out / "target.png")
    write_png(sign, out / "sign.png")
    print(f"{len(texts)} texts: accuracy {acc:.4f} ({wrong} of {y.numel()} modules wrong), phi {phi:.4f}")
    for name in ("target.png", "sign.png"):
        code, text = scan(out / name)
        print(f"zbarimg {name}: exit {code}" + (f", decodes to {text!r}" if code == 0 else ", no symbol"))


if __name__ == "__main__":
    main()
