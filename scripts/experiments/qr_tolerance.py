#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How many wrong modules can a tiny-preset QR code have and still scan? For docs/results.md (c).

Takes Y from the 'target' snapshot of a dpg store (e.g. a one-step qr-tiny run), flips k random modules, writes the
image as a PNG (4-module quiet zone, 8 px per module, as `dpg export --png --border 4 --scale 8`) and asks zbarimg
to decode it, 20 trials per k.
With --regions (a version-1 code) it flips modules in one part of the code at a time instead: the finder patterns
with their separators, the timing lines, the format information, the data modules, and whole codewords (every
module of k codewords inverted), to tell which modules a scan can spare (qr_layout.py).
  python3 scripts/experiments/qr_tolerance.py [--regions] STORE.db [STORE.db ...]
"""
import random
import sqlite3
import struct
import subprocess
import sys
import zlib

import numpy as np


def write_png(path, img, border=4, scale=8):
    """img: 1 = dark module. Greyscale PNG, written by hand (no imaging library on the machine)."""
    a = np.kron(np.pad(img, border, constant_values=0), np.ones((scale, scale), dtype=np.uint8))
    raw = b"".join(b"\x00" + bytes((255 * (1 - row)).astype(np.uint8)) for row in a)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    h, w = a.shape
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def decodes(path):
    r = subprocess.run(["zbarimg", "-q", "--raw", path], capture_output=True, text=True)
    return r.returncode == 0, r.stdout.strip()


def flip_trials(y, cells, k, rng, trials=20):
    """How many of `trials` copies of y with k of `cells` flipped decode."""
    ok = 0
    for _ in range(trials):
        x = y.copy()
        for c in rng.sample(cells, k):
            x[c] ^= 1
        write_png("/tmp/qr-tolerance-t.png", x)
        ok += decodes("/tmp/qr-tolerance-t.png")[0]
    return ok


def regions(y, rng):
    import qr_layout

    masks = qr_layout.function_masks()
    cw = qr_layout.codeword_map()
    cells = lambda m: [tuple(c) for c in np.argwhere(m)]
    for name, m, ks in [("finder patterns + separators", masks["finder"], [2, 5, 10, 15, 20]),
                        ("timing lines", masks["timing"], [2, 6, 10]),
                        ("format information", masks["format"], [2, 4, 6, 8]),
                        ("data modules", cw >= 0, [8, 12, 16])]:
        for k in ks:
            print(f"  {name}: {k} of {int(m.sum())} flipped: {flip_trials(y, cells(m), k, rng)}/20 decode")
    for k in [6, 8, 9, 10]:
        ok = 0
        for _ in range(20):
            x = y.copy()
            for c in rng.sample(range(26), k):
                x[cw == c] ^= 1
            write_png("/tmp/qr-tolerance-t.png", x)
            ok += decodes("/tmp/qr-tolerance-t.png")[0]
        print(f"  {k} of 26 whole codewords inverted: {ok}/20 decode")


def main():
    by_region = "--regions" in sys.argv
    for db in [a for a in sys.argv[1:] if a != "--regions"]:
        rows, cols, data = sqlite3.connect(db).execute(
            "select rows, cols, data from snapshots where kind = 'target' limit 1"
        ).fetchone()
        y = (np.frombuffer(data, dtype=np.float32).reshape(rows, cols) > 0).astype(np.uint8)
        write_png("/tmp/qr-tolerance-clean.png", y)
        print(db, "clean:", decodes("/tmp/qr-tolerance-clean.png"))
        rng = random.Random(0)
        if by_region:
            regions(y, rng)
            continue
        for k in [5, 10, 15, 20, 30, 45, 60]:
            ok = flip_trials(y, [tuple(c) for c in np.argwhere(np.ones_like(y))], k, rng)
            print(f"  {k} modules flipped (accuracy {1 - k / y.size:.3f}): {ok}/20 decode")


if __name__ == "__main__":
    main()
