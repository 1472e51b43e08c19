#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Averages the generator weights of several stored checkpoints (docs/results.md (a)).

    average_checkpoints.py OUT.safetensors CKPT.safetensors [CKPT ...]

OUT gets the mean of every `theta/` tensor over the given checkpoints, and the optimiser state (`adam_*`) and
metadata of the last one, so `dpg eval` can read it in place of that checkpoint: copy the store, write OUT over
the copy's checkpoint of that step, and set the row's path and sha256 in its `checkpoints` table.
Reads and writes safetensors itself (F32 only, as the engine writes them); needs numpy only.
"""
import json
import struct
import sys

import numpy as np


def load(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=np.float32).reshape(info["shape"]).copy()
    return header.get("__metadata__"), tensors


def save(path, metadata, tensors):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, array in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
        blobs.append(array.tobytes())
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    out, sources = argv[1], argv[2:]
    metadata, result = load(sources[-1])
    names = [n for n in result if n.startswith("theta/")]
    total = {n: np.zeros(result[n].shape, dtype=np.float64) for n in names}
    for src in sources:
        _, tensors = load(src)
        for n in names:
            total[n] += tensors[n]
    for n in names:
        result[n] = (total[n] / len(sources)).astype(np.float32)
    save(out, metadata, result)
    print(f"{out}: mean of {len(names)} weight tensors over {len(sources)} checkpoints")


if __name__ == "__main__":
    main(sys.argv)
