# SPDX-License-Identifier: MIT
"""HF transformers side of bench/bench_generate: SmolLM2 from the same GGUF, the same left-padded
token ids, the same sampling settings and thread count.

    .venv/bin/python tests/reference/bench_hf_generate.py GGUF INPUT.json THREADS
INPUT.json: {"input_ids": [[...]], "attention_mask": [[...]], "max_new_tokens": N,
             "temperature": T, "top_p": P, "pad_id": ID}
After loading and a warm-up it prints "ready"; then each stdin line "run SEED" runs one timed
generate() and prints one JSON line {"tok_s", "seconds", ...}; "quit" (or EOF) ends it. The C++
side interleaves its own runs with these, so both see the same machine load.
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
    tokens = ids.shape[0] * n
    with torch.inference_mode():
        model.generate(ids, max_new_tokens=4, min_new_tokens=4, **kw)  # warm-up
        print("ready", flush=True)
        for line in sys.stdin:
            cmd = line.split()
            if not cmd or cmd[0] != "run":
                break
            torch.manual_seed(int(cmd[1]))
            t0 = time.perf_counter()
            out = model.generate(ids, max_new_tokens=n, min_new_tokens=n, **kw)
            dt = time.perf_counter() - t0
            assert out.shape[1] == ids.shape[1] + n, out.shape
            print(json.dumps({"tok_s": tokens / dt, "seconds": dt, "tokens": tokens, "threads": threads,
                              "attn": model.config._attn_implementation}), flush=True)

if __name__ == "__main__":
    main()
