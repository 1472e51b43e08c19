# SPDX-License-Identifier: MIT
"""HF transformers side of bench/bench_generate: SmolLM2 from the same GGUF, the same left-padded
token ids, the same sampling settings and thread count; prints one JSON line with tokens/s.

    .venv/bin/python tests/reference/bench_hf_generate.py GGUF INPUT.json THREADS
INPUT.json: {"input_ids": [[...]], "attention_mask": [[...]], "max_new_tokens": N,
             "temperature": T, "top_p": P, "pad_id": ID, "repeats": R}
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    path, spec_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import torch
    torch.set_num_threads(threads)
    import reference
    reference.check_pins()
    from ref_models import load_smollm2_hf
    spec = json.load(open(spec_path))
    model = load_smollm2_hf(path)
    ids = torch.tensor(spec["input_ids"])
    mask = torch.tensor(spec["attention_mask"])
    n = spec["max_new_tokens"]
    kw = dict(attention_mask=mask, do_sample=True, temperature=spec["temperature"], top_p=spec["top_p"],
              top_k=0, pad_token_id=spec["pad_id"], use_cache=True)
    best = float("inf")
    with torch.inference_mode():
        model.generate(ids, max_new_tokens=4, min_new_tokens=4, **kw)  # warm-up
        for r in range(spec["repeats"]):
            torch.manual_seed(r)
            t0 = time.perf_counter()
            out = model.generate(ids, max_new_tokens=n, min_new_tokens=n, **kw)
            best = min(best, time.perf_counter() - t0)
            assert out.shape[1] == ids.shape[1] + n, out.shape
    tokens = ids.shape[0] * n
    print(json.dumps({"tok_s": tokens / best, "seconds": best, "tokens": tokens, "threads": threads,
                      "attn": model.config._attn_implementation}))


if __name__ == "__main__":
    main()
