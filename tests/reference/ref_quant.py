# SPDX-License-Identifier: MIT
"""GGUF reader and dequantisation fixtures (see reference.py)."""
import json
import os

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q
from safetensors.numpy import save_file

SEED = 20240611
# Types gguf-py can quantise: real quantisation of random data.
QUANTISABLE = [Q.F32, Q.F16, Q.BF16, Q.Q8_0, Q.Q4_0, Q.Q4_1]
# Types gguf-py can only dequantise: random block bytes with sane fp16 scales.
RAW_ONLY = [Q.Q4_K, Q.Q6_K]
# (name, type) of real tensors in the SmolLM2 file; token_embd is cut to its first rows.
REAL = ["blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.3.ffn_down.weight", "output_norm.weight",
        "token_embd.weight"]
REAL_ROWS = 1024


def random_k_blocks(rng, qtype, rows, cols):
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(rows, cols // block, size), dtype=np.uint8)
    scales = rng.uniform(-0.05, 0.05, size=(rows, cols // block, 2)).astype(np.float16)
    if qtype == Q.Q4_K:  # d and dmin are the first two halves of a block
        raw[..., 0:4] = scales.view(np.uint8).reshape(rows, cols // block, 4)
    else:  # Q6_K: d is the last half
        raw[..., size - 2:size] = scales[..., :1].view(np.uint8).reshape(rows, cols // block, 2)
    return raw.reshape(rows, -1)


def add_metadata(w):
    """One key of every value type, nested arrays included; returns what was written."""
    meta = {
        "test.u8": ("u8", 200), "test.i8": ("i8", -100), "test.u16": ("u16", 60000),
        "test.i16": ("i16", -30000), "test.u32": ("u32", 4000000000), "test.i32": ("i32", -2000000000),
        "test.u64": ("u64", 2**63 + 5), "test.i64": ("i64", -(2**62)), "test.f32": ("f32", 1.5),
        "test.f64": ("f64", -2.25e-300), "test.bool": ("bool", True), "test.string": ("string", "héllo ✓"),
        "test.arr_i32": ("array", [1, -2, 3]), "test.arr_str": ("array", ["a", "", "ü"]),
        "test.arr_nested": ("array", [[1, 2], [3]]),
    }
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4000000000)
    w.add_int32("test.i32", -2000000000)
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62))
    w.add_float32("test.f32", 1.5)
    w.add_float64("test.f64", -2.25e-300)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo ✓")
    w.add_array("test.arr_i32", [1, -2, 3])
    w.add_array("test.arr_str", ["a", "", "ü"])
    w.add_array("test.arr_nested", [[1, 2], [3]])
    return {k: {"type": t, "value": (str(v) if t == "u64" else v)} for k, (t, v) in meta.items()}


def run(out, smollm_path):
    rng = np.random.default_rng(SEED)
    expected = {}
    info = {"tensors": {}}
    path = os.path.join(out, "quant.gguf")
    w = gguf.GGUFWriter(path, "llama")
    info["metadata"] = add_metadata(w)
    w.add_custom_alignment(64)
    rows, cols = 6, 512
    for qt in QUANTISABLE:
        data = (rng.standard_normal((rows, cols)) * rng.uniform(0.01, 3.0)).astype(np.float32)
        data[0, :7] = [0.0, -0.0, 1e-8, -65000.0, 65000.0, 0.5, -0.5]  # edge values
        name = f"t.{qt.name}"
        if qt == Q.F32:
            raw = data
            w.add_tensor(name, raw)
        else:
            raw = gguf.quants.quantize(data, qt)
            w.add_tensor(name, raw, raw_dtype=qt)
        expected[name] = gguf.quants.dequantize(raw, qt).astype(np.float32).reshape(rows, cols)
        info["tensors"][name] = {"type": qt.name, "shape": [rows, cols]}
    for qt in RAW_ONLY:
        raw = random_k_blocks(rng, qt, rows, cols)
        name = f"t.{qt.name}"
        w.add_tensor(name, raw, raw_dtype=qt)
        expected[name] = gguf.quants.dequantize(raw, qt).astype(np.float32).reshape(rows, cols)
        info["tensors"][name] = {"type": qt.name, "shape": [rows, cols]}
    # A 3-D tensor, to check the shape order (ne reversed).
    cube = rng.standard_normal((2, 3, 64)).astype(np.float32)
    w.add_tensor("t.cube", cube)
    expected["t.cube"] = cube
    info["tensors"]["t.cube"] = {"type": "F32", "shape": [2, 3, 64]}
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # A file holding a type we do not dequantise.
    w = gguf.GGUFWriter(os.path.join(out, "unsupported.gguf"), "llama")
    raw = rng.integers(0, 256, size=(2, gguf.GGML_QUANT_SIZES[Q.Q5_K][1]), dtype=np.uint8)
    raw[:, 0:4] = np.array([0.01, 0.01], dtype=np.float16).view(np.uint8)
    w.add_tensor("t.Q5_K", raw, raw_dtype=Q.Q5_K)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    # Real blocks of the SmolLM2 file.
    r = gguf.GGUFReader(smollm_path)
    by_name = {t.name: t for t in r.tensors}
    info["real"] = {}
    for name in REAL:
        t = by_name[name]
        data = np.asarray(t.data)
        if name == "token_embd.weight":
            data = data[:REAL_ROWS]
        deq = gguf.quants.dequantize(data, t.tensor_type).astype(np.float32)
        expected["real." + name] = np.ascontiguousarray(deq)
        info["real"][name] = {"type": t.tensor_type.name, "shape": list(deq.shape)}
    save_file(expected, os.path.join(out, "quant_expected.safetensors"))
    with open(os.path.join(out, "quant.json"), "w") as f:
        json.dump(info, f, indent=1, ensure_ascii=False)
    return {"tensors": len(expected)}
