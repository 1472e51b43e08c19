# SPDX-License-Identifier: MIT
"""Model fixtures (see reference.py): HF transformers logits of SmolLM2 loaded from the GGUF, and
tiny random GPT-2 / Llama (GQA, untied) models saved both as HF safetensors and as GGUF."""
import json
import os

import gguf
import numpy as np
import torch
from safetensors.torch import save_file

PROMPTS = [
    "The capital of France is",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nRephrase: The cat sat on the mat.<|im_end|>\n<|im_start|>assistant\n",
    "def fibonacci(n):\n    if n < 2:\n        return n\n",
    "Once upon a time, in a land far away, there lived",
    "1, 2, 3, 4, 5, 6,",
    "Les mathématiques sont",
    "Q: What is the boiling point of water?\nA:",
    "🙂 Emoji and unicode: naïve café — “quotes” and\ttabs",
]


def load_smollm2_hf(path, dtype=torch.float32):
    """SmolLM2 as an HF LlamaForCausalLM, weights dequantised by transformers' own GGUF loader
    (which also undoes llama.cpp's Q/K permutation). from_pretrained(gguf_file=) would need
    `accelerate`, which the pinned environment does not carry; this is the same code path."""
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint
    cfg = dict(load_gguf_checkpoint(path, return_tensors=False)["config"])
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    state = load_gguf_checkpoint(path, return_tensors=True, model_to_load=model)["tensors"]
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(m == "lm_head.weight" for m in missing), (missing, unexpected)
    model.tie_weights()
    return model.eval()


def run_smollm2(out, path):
    import ref_tokenizer
    tokens, merges, types, _, _ = ref_tokenizer.gguf_vocab(path)
    tok = ref_tokenizer.build(tokens, merges, types, digits=True)
    model = load_smollm2_hf(path)
    tensors = {}
    with torch.no_grad():
        for k, p in enumerate(PROMPTS):
            ids = tok.encode(p, add_special_tokens=False).ids
            logits = model(torch.tensor([ids])).logits[0].float()
            tensors[f"ids.{k}"] = torch.tensor(ids, dtype=torch.int64)
            tensors[f"logits.{k}"] = logits.contiguous()
    save_file(tensors, os.path.join(out, "smollm2_logits.safetensors"))
    return {"prompts": len(PROMPTS)}


# ---- tiny models --------------------------------------------------------------------------------

BYTE_VOCAB = 257  # our ByteTokenizer: bytes, then <|endoftext|>


def perturb(model, seed):
    """Random weights everywhere (norm gains near 1, biases non-zero), so that every parameter and
    every code path shows up in the logits."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            if "ln_" in name or "norm" in name:
                p.copy_(1.0 + 0.2 * r if name.endswith("weight") else 0.1 * r)
            else:
                p.copy_(0.15 * r)
            if "mlp" in name and name.endswith("weight"):
                p.copy_(p.half().float())  # exactly representable: stored as F16 in the GGUF


def inputs(seed, vocab, batch=3, length=24):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (batch, length), generator=g)
    lengths = [length, length - 7, length - 15]
    mask = torch.zeros(batch, length, dtype=torch.int64)
    for r, n in enumerate(lengths):
        mask[r, length - n:] = 1
    padded = torch.where(mask.bool(), ids, torch.full_like(ids, vocab - 1))
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids, padded, mask, positions


def byte_tokens():
    """The GPT-2 byte alphabet in byte order, then <|endoftext|>: a 257-token BPE without merges
    that tokenises exactly like our ByteTokenizer."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = {}, 0
    for b in range(256):
        if b in bs:
            cs[b] = chr(b)
        else:
            cs[b] = chr(256 + n)
            n += 1
    return [cs[b] for b in range(256)] + ["<|endoftext|>"]


def gguf_tokenizer(w):
    toks = byte_tokens()
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(toks)
    w.add_token_types([1] * 256 + [3])
    w.add_token_merges([])
    w.add_bos_token_id(256)
    w.add_eos_token_id(256)


def add(w, name, t):
    a = t.detach().float().numpy()
    if name.endswith(".weight") and ("ffn_" in name) and a.ndim == 2:
        w.add_tensor(name, a.astype(np.float16), raw_dtype=gguf.GGMLQuantizationType.F16)
    else:
        w.add_tensor(name, np.ascontiguousarray(a))


def permute(w, n_head):  # llama.cpp convert_hf_to_gguf.py LlamaModel.permute
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def write_gguf_gpt2(path, model, cfg):
    w = gguf.GGUFWriter(path, "gpt2")
    w.add_block_count(cfg.n_layer)
    w.add_context_length(cfg.n_positions)
    w.add_embedding_length(cfg.n_embd)
    w.add_feed_forward_length(4 * cfg.n_embd)
    w.add_head_count(cfg.n_head)
    w.add_layer_norm_eps(cfg.layer_norm_epsilon)
    gguf_tokenizer(w)
    sd = model.state_dict()
    add(w, "token_embd.weight", sd["transformer.wte.weight"])
    add(w, "position_embd.weight", sd["transformer.wpe.weight"])
    names = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output", "ln_2": "ffn_norm",
             "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
    for i in range(cfg.n_layer):
        for hf, gg in names.items():
            wt = sd[f"transformer.h.{i}.{hf}.weight"]
            add(w, f"blk.{i}.{gg}.weight", wt.t().contiguous() if wt.dim() == 2 else wt)
            add(w, f"blk.{i}.{gg}.bias", sd[f"transformer.h.{i}.{hf}.bias"])
    add(w, "output_norm.weight", sd["transformer.ln_f.weight"])
    add(w, "output_norm.bias", sd["transformer.ln_f.bias"])
    add(w, "output.weight", sd["transformer.wte.weight"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_gguf_llama(path, model, cfg):
    w = gguf.GGUFWriter(path, "llama")
    w.add_block_count(cfg.num_hidden_layers)
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_freq_base(cfg.rope_parameters["rope_theta"])
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_rope_dimension_count(cfg.hidden_size // cfg.num_attention_heads)
    gguf_tokenizer(w)
    sd = model.state_dict()
    H, KV = cfg.num_attention_heads, cfg.num_key_value_heads
    add(w, "token_embd.weight", sd["model.embed_tokens.weight"])
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        add(w, f"blk.{i}.attn_norm.weight", sd[p + "input_layernorm.weight"])
        add(w, f"blk.{i}.attn_q.weight", permute(sd[p + "self_attn.q_proj.weight"], H))
        add(w, f"blk.{i}.attn_k.weight", permute(sd[p + "self_attn.k_proj.weight"], KV))
        add(w, f"blk.{i}.attn_v.weight", sd[p + "self_attn.v_proj.weight"])
        add(w, f"blk.{i}.attn_output.weight", sd[p + "self_attn.o_proj.weight"])
        add(w, f"blk.{i}.ffn_norm.weight", sd[p + "post_attention_layernorm.weight"])
        add(w, f"blk.{i}.ffn_gate.weight", sd[p + "mlp.gate_proj.weight"])
        add(w, f"blk.{i}.ffn_up.weight", sd[p + "mlp.up_proj.weight"])
        add(w, f"blk.{i}.ffn_down.weight", sd[p + "mlp.down_proj.weight"])
    add(w, "output_norm.weight", sd["model.norm.weight"])
    add(w, "output.weight", sd["lm_head.weight"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def save_hf(model, d):
    model.save_pretrained(d, safe_serialization=True)
    cfg_path = os.path.join(d, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg["dpg_tokenizer"] = "byte"
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=1)


def run_tiny(out):
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    models = {
        "tiny_gpt2": GPT2LMHeadModel(GPT2Config(
            vocab_size=BYTE_VOCAB, n_positions=64, n_embd=64, n_layer=2, n_head=4, activation_function="gelu_new",
            resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, layer_norm_epsilon=1e-5, bos_token_id=256,
            eos_token_id=256)),
        "tiny_llama": LlamaForCausalLM(LlamaConfig(
            vocab_size=BYTE_VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=128, rms_norm_eps=1e-5,
            rope_parameters={"rope_type": "default", "rope_theta": 5000.0}, tie_word_embeddings=False,
            bos_token_id=256, eos_token_id=256, attn_implementation="eager")),
    }
    done = {}
    for k, (name, model) in enumerate(models.items()):
        perturb(model, 100 + k)
        model.eval()
        save_hf(model, os.path.join(out, name))
        gpath = os.path.join(out, name + ".gguf")
        (write_gguf_gpt2 if name == "tiny_gpt2" else write_gguf_llama)(gpath, model, model.config)
        ids, padded, mask, positions = inputs(200 + k, BYTE_VOCAB)
        with torch.no_grad():
            plain = model(ids).logits
            pad = model(padded, attention_mask=mask, position_ids=positions).logits
        save_file({"ids": ids, "logits": plain.contiguous(), "padded_ids": padded, "mask": mask,
                   "positions": positions, "padded_logits": pad.contiguous()},
                  os.path.join(out, name + "_logits.safetensors"))
        done[name] = sum(p.numel() for p in model.parameters())
    return done
