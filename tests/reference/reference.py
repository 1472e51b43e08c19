# SPDX-License-Identifier: MIT
"""Reference fixtures for the core/model tests, computed at test time with pinned packages.

    .venv/bin/python tests/reference/reference.py OUTDIR --gguf SMOLLM2.gguf [--sections a,b]

Sections (all by default):
  quant      quant.gguf (every metadata value type; tensors of F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q4_K
             Q6_K), unsupported.gguf (a Q5_K tensor), quant_expected.safetensors (gguf-py
             dequantisation of every tensor, plus real SmolLM2 Q4_1/Q8_0/F32 tensors), quant.json
  tokenizer  smollm2_tok/tokenizer.json and gpt2flavour_tok/tokenizer.json (HF `tokenizers` built
             from the GGUF vocabulary), tokenizer_cases.json (>= 1000 strings with their ids)
  smollm2    smollm2_logits.safetensors: HF transformers logits of SmolLM2 loaded from the GGUF
  tiny       tiny_gpt2/ and tiny_llama/ (save_pretrained safetensors + config.json), the same
             weights as tiny_gpt2.gguf / tiny_llama.gguf, and their logits
Nothing expected is hard-coded: every expected value comes from the pinned packages here.
"""
import argparse
import importlib.metadata as md
import json
import os
import sys

PINS = {"torch": "2.13.0", "transformers": "5.23.0", "tokenizers": "0.23.3", "gguf": "0.19.0",
        "safetensors": "0.8.0", "numpy": "2.4.6"}


def check_pins():
    bad = []
    for name, want in PINS.items():
        try:
            have = md.version(name).split("+")[0]
        except md.PackageNotFoundError:
            have = None
        if have != want:
            bad.append(f"{name}=={want} (found {have})")
    if bad:
        sys.stderr.write("reference.py: wrong package versions: " + ", ".join(bad) +
                         "; run scripts/setup.sh\n")
        sys.exit(3)


def share_gguf_readers():
    """Parsing the SmolLM2 metadata (98k strings) takes seconds per GGUFReader; every section and
    transformers' GGUF loader (which imports gguf.GGUFReader at call time) share one per file."""
    import gguf
    cls, cache = gguf.GGUFReader, {}

    def reader(path, mode="r"):
        key = (os.path.abspath(path), mode)
        if key not in cache:
            cache[key] = cls(path, mode)
        return cache[key]

    gguf.GGUFReader = reader


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--gguf", required=True, help="the SmolLM2 GGUF file")
    ap.add_argument("--sections", default="quant,tokenizer,smollm2,tiny")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    check_pins()
    os.makedirs(a.out, exist_ok=True)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    torch.set_num_threads(a.threads)
    share_gguf_readers()
    sections = [s for s in a.sections.split(",") if s]
    done = {}
    for s in sections:
        if s == "quant":
            import ref_quant
            done[s] = ref_quant.run(a.out, a.gguf)
        elif s == "tokenizer":
            import ref_tokenizer
            done[s] = ref_tokenizer.run(a.out, a.gguf)
        elif s == "smollm2":
            import ref_models
            done[s] = ref_models.run_smollm2(a.out, a.gguf)
        elif s == "tiny":
            import ref_models
            done[s] = ref_models.run_tiny(a.out)
        else:
            sys.exit(f"reference.py: unknown section {s}")
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"pins": PINS, "sections": done}, f, indent=1)
    print("reference.py: wrote", ", ".join(sections), "to", a.out)


if __name__ == "__main__":
    main()
