# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz targets, fuzz/corpus/<target>/ (small, valid inputs).

    .venv/bin/python fuzz/make_seeds.py [OUT]   (default: fuzz/corpus)

GGUF and safetensors files come from the pinned gguf and safetensors packages (as the model tests'
fixtures do, tests/reference/), tokenizer.json files from the pinned tokenizers package, run configs
from the bundled presets, PNG files from a minimal encoder below. Every file is a few KiB at most.
"""
import json
import os
import struct
import sys
import tempfile
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def byte_alphabet():
    """GPT-2's printable byte alphabet (core/model/bpe_tokenizer.cpp byte_to_char)."""
    table, nxt = [], 256
    for b in range(256):
        if 33 <= b <= 126 or 0xA1 <= b <= 0xAC or b >= 0xAE:
            table.append(chr(b))
        else:
            table.append(chr(nxt))
            nxt += 1
    return table


def tiny_vocab():
    tokens = byte_alphabet() + ["he", "ll", "hell", "or", "Ġw", "Ġwor", "<|endoftext|>"]
    merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("o", "r"), ("Ġ", "w"), ("Ġw", "or")]
    return tokens, merges


def gguf_seeds(out):
    import gguf
    Q = gguf.GGMLQuantizationType
    rng = np.random.default_rng(1)
    tokens, merges = tiny_vocab()
    with tempfile.TemporaryDirectory() as tmp:
        def one(name, fill):
            path = os.path.join(tmp, name)
            w = gguf.GGUFWriter(path, "llama")
            fill(w)
            w.write_header_to_file()
            w.write_kv_data_to_file()
            w.write_tensors_to_file()
            w.close()
            write(out, "gguf", name, open(path, "rb").read())

        def metadata(w):
            w.add_uint8("t.u8", 200)
            w.add_int16("t.i16", -30000)
            w.add_uint64("t.u64", 2**63 + 5)
            w.add_float64("t.f64", -2.25)
            w.add_bool("t.bool", True)
            w.add_string("t.s", "héllo")
            w.add_array("t.nested", [[1, 2], [3]])
            w.add_custom_alignment(64)
            w.add_tensor("f32", rng.standard_normal((2, 8)).astype(np.float32))
            w.add_tensor("f16", rng.standard_normal((1, 8)).astype(np.float16))

        def quantised(w):
            data = rng.standard_normal((1, 32)).astype(np.float32)
            for qt in (Q.Q8_0, Q.Q4_0, Q.Q4_1):
                w.add_tensor(qt.name, gguf.quants.quantize(data, qt), raw_dtype=qt)
            for qt in (Q.Q4_K, Q.Q6_K):
                block, size = gguf.GGML_QUANT_SIZES[qt]
                raw = rng.integers(0, 256, size=(1, size), dtype=np.uint8)
                raw[0, 0:2] = np.array([0.01], dtype=np.float16).view(np.uint8)
                w.add_tensor(qt.name, raw, raw_dtype=qt)

        def tokenizer(w):
            w.add_tokenizer_model("gpt2")
            w.add_tokenizer_pre("smollm")
            w.add_token_list(tokens)
            w.add_token_merges([f"{a} {b}" for a, b in merges])
            w.add_token_types([1] * (len(tokens) - 1) + [3])
            w.add_bos_token_id(len(tokens) - 1)
            w.add_eos_token_id(len(tokens) - 1)

        one("metadata.gguf", metadata)
        one("quantised.gguf", quantised)
        one("tokenizer.gguf", tokenizer)


def safetensors_seeds(out):
    from safetensors.numpy import save
    rng = np.random.default_rng(2)
    write(out, "safetensors", "floats.safetensors",
          save({"a": rng.standard_normal((2, 3)).astype(np.float32),
                "b": rng.standard_normal((4,)).astype(np.float64),
                "c": rng.standard_normal((1, 2, 2)).astype(np.float16)}, metadata={"format": "pt"}))
    write(out, "safetensors", "ints.safetensors",
          save({"i": np.arange(6, dtype=np.int64).reshape(2, 3), "u": np.arange(3, dtype=np.uint8),
                "k": np.array([True, False]), "s": np.zeros((0, 4), dtype=np.int32)}))
    write(out, "safetensors", "empty.safetensors", save({}))


def tokenizer_seeds(out):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    tokens, merges = tiny_vocab()
    for name, digits in (("gpt2", False), ("digits", True)):
        tok = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
        byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tok.pre_tokenizer = (pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                      byte_level]) if digits else byte_level)
        tok.decoder = decoders.ByteLevel()
        tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
        config = json.dumps({"bos_token": "<|endoftext|>", "eos_token": {"content": "<|endoftext|>"}})
        text = "hello world 123 it's <|endoftext|> ünï"
        write(out, "tokenizer", name + ".json", tok.to_str() + "\0" + config + "\0" + text)
        write(out, "tokenizer", name + "-noconfig.json", tok.to_str() + "\0\0" + text)


def config_seeds(out):
    presets = os.path.join(ROOT, "resources", "presets")
    for name, sets in (("67-tiny", ["grpo.steps=20", "objective.params.text=hi there",
                                    "inner.optimizer=sgd", "grpo.cross_group=false"]),
                       ("qr-tiny", ["objective.params={\"source\":\"qr\"}", "inner.T=4",
                                    "objective.kind=lmhead_norm", "validation.every=0"])):
        text = open(os.path.join(presets, name + ".json")).read()
        write(out, "config", name + ".json", text + "\0" + "\n".join(sets))
    write(out, "config", "partial.json", '{"grpo": {"lr": 1e-3}, "inner": {"dtype": "float64"}}\0seed=7')


def png(width, height, colour_type, depth, rows, palette=None):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + r for r in rows)
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0))
    if palette:
        body += chunk(b"PLTE", palette)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_seeds(out):
    write(out, "png", "grey.png", png(4, 3, 0, 8, [bytes([0, 255, 128, 10])] * 3))
    write(out, "png", "rgba.png", png(2, 2, 6, 8, [bytes([0, 0, 0, 255, 255, 255, 255, 0])] * 2))
    write(out, "png", "palette.png", png(3, 1, 3, 8, [bytes([0, 1, 0])], palette=b"\0\0\0\xff\xff\xff"))
    write(out, "png", "bits.png", png(8, 2, 0, 1, [b"\xa5", b"\x5a"]))
    write(out, "png", "art.txt", "####...\n...###.\n.#####.\n...###.\n.#.###.\n...####\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")
    for make in (gguf_seeds, safetensors_seeds, tokenizer_seeds, config_seeds, png_seeds):
        make(out)


if __name__ == "__main__":
    main()
