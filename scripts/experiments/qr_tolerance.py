#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""How many wrong modules can a tiny-preset QR code have and still scan? For docs/results.md (c).

Takes Y from the 'target' snapshot of a dpg store (e.g. a one-step qr-tiny run), flips k random modules, writes the
image as a PNG (4-module quiet zone, 8 px per module, as `dpg export --png --border 4 --scale 8`) and asks zbarimg
to decode it, 20 trials per k.
  python3 scripts/experiments/qr_tolerance.py STORE.db [STORE.db ...]
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


def main():
    for db in sys.argv[1:]:
        rows, cols, data = sqlite3.connect(db).execute(
            "select rows, cols, data from snapshots where kind = 'target' limit 1"
        ).fetchone()
        y = (np.frombuffer(data, dtype=np.float32).reshape(rows, cols) > 0).astype(np.uint8)
        write_png("/tmp/qr-tolerance-clean.png", y)
        print(db, "clean:", decodes("/tmp/qr-tolerance-clean.png"))
        rng = random.Random(0)
        for k in [5, 10, 15, 20, 30, 45, 60]:
            ok = 0
            for _ in range(20):
                x = y.copy()
                for i in rng.sample(range(y.size), k):
                    x.flat[i] ^= 1
                write_png("/tmp/qr-tolerance-t.png", x)
                ok += decodes("/tmp/qr-tolerance-t.png")[0]
            print(f"  {k} modules flipped (accuracy {1 - k / y.size:.3f}): {ok}/20 decode")


if __name__ == "__main__":
    main()
