// SPDX-License-Identifier: MIT
#include "core/model/transformer.h"

#include "core/model/errors.h"
#include "core/model/nn_ops.h"

#include <torch/torch.h>

#include <cmath>

namespace dpg::model {
namespace {

namespace F = torch::nn::functional;

using ops::param;
using ops::rms_norm;

torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                         double eps) {
  return torch::layer_norm(x, {x.size(-1)}, w, b, eps);
}

// GPT-2's "gelu_new": the tanh approximation.
torch::Tensor gelu_tanh(const torch::Tensor& x) {
  return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
}

// [B, L, H*hd] -> [B, H, L, hd]
torch::Tensor split_heads(const torch::Tensor& x, int64_t heads) {
  auto B = x.size(0), L = x.size(1);
  return x.view({B, L, heads, x.size(2) / heads}).transpose(1, 2);
}
torch::Tensor merge_heads(const torch::Tensor& x) {
  auto B = x.size(0), L = x.size(2);
  return x.transpose(1, 2).contiguous().view({B, L, -1});
}

// Additive mask [B or 1, 1, Lq, Lk]: causal over absolute positions plus key padding.
torch::Tensor attention_bias(int64_t past, int64_t Lq, const torch::Tensor& key_mask,
                             const torch::TensorOptions& o) {
  int64_t Lk = past + Lq;
  auto qi = torch::arange(past, past + Lq, o.dtype(torch::kLong)).unsqueeze(1);
  auto kj = torch::arange(0, Lk, o.dtype(torch::kLong)).unsqueeze(0);
  auto allowed = (kj <= qi).unsqueeze(0).unsqueeze(0);  // [1,1,Lq,Lk]
  if (key_mask.defined()) {
    // A query always sees its own key: a padded query would otherwise have no key at all, its
    // softmax would be NaN, and the NaN would reach real rows through 0 * NaN in later layers.
    allowed = (allowed & key_mask.to(torch::kBool).unsqueeze(1).unsqueeze(1)) |
              (kj == qi).unsqueeze(0).unsqueeze(0);
  }
  auto zero = torch::zeros({}, o);
  auto neg = torch::full({}, -std::numeric_limits<double>::infinity(), o);
  return torch::where(allowed, zero, neg);
}

// Math attention: softmax(q k^T / sqrt(hd) + bias) v. Safe for double backward.
torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                     const torch::Tensor& bias) {
  double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * scale + bias;
  return torch::matmul(torch::softmax(scores, -1), v);
}

// Appends new k/v to the cache (if any) and returns the full keys/values.
std::pair<torch::Tensor, torch::Tensor> with_cache(KVCache* cache, size_t layer, torch::Tensor k,
                                                   torch::Tensor v) {
  if (!cache) return {k, v};
  if (cache->k.size() <= layer) {
    cache->k.resize(layer + 1);
    cache->v.resize(layer + 1);
  }
  if (cache->k[layer].defined()) {
    k = torch::cat({cache->k[layer], k}, 2);
    v = torch::cat({cache->v[layer], v}, 2);
  }
  cache->k[layer] = k;
  cache->v[layer] = v;
  return {k, v};
}

// HF rotate_half RoPE: x*cos + rotate_half(x)*sin, with positions [B, L].
std::pair<torch::Tensor, torch::Tensor> rope_tables(const torch::Tensor& positions, int64_t hd,
                                                    double theta, const torch::TensorOptions& o) {
  auto inv = torch::pow(theta, -torch::arange(0, hd, 2, o.dtype(torch::kDouble)) / double(hd));
  auto ang = positions.to(torch::kDouble).unsqueeze(-1) * inv;  // [B, L, hd/2]
  ang = torch::cat({ang, ang}, -1).unsqueeze(1);                // [B, 1, L, hd]
  return {ang.cos().to(o.dtype()), ang.sin().to(o.dtype())};
}
torch::Tensor apply_rope(const torch::Tensor& x, const torch::Tensor& cos,
                         const torch::Tensor& sin) {
  auto half = x.size(-1) / 2;
  auto rot = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * cos + rot * sin;
}

torch::Tensor positions_for(const torch::Tensor& tokens, const ForwardOptions& opt, int64_t past) {
  if (opt.positions.defined()) return opt.positions;
  return torch::arange(past, past + tokens.size(1), tokens.options().dtype(torch::kLong))
      .unsqueeze(0)
      .expand({tokens.size(0), tokens.size(1)});
}

// The positions the LM head is applied to (ForwardOptions::logits_from).
torch::Tensor head_rows(const torch::Tensor& x, const ForwardOptions& opt) {
  if (opt.logits_from <= 0) return x;
  if (opt.logits_from >= x.size(1))
    throw ConfigError("forward: logits_from must be below the sequence length");
  return x.narrow(1, opt.logits_from, x.size(1) - opt.logits_from);
}

torch::Tensor gpt2_forward(const ModelConfig& c, const TensorMap& p, const torch::Tensor& tokens,
                           const ForwardOptions& opt) {
  const int64_t past = opt.cache ? opt.cache->length() : 0;
  auto pos = positions_for(tokens, opt, past);
  auto wte = param(p, "wte.weight");
  auto x = F::embedding(tokens, wte) + F::embedding(pos, param(p, "wpe.weight"));
  auto bias = attention_bias(past, tokens.size(1), opt.key_mask, x.options());
  for (int64_t i = 0; i < c.n_layer; ++i) {
    const std::string h = "h." + std::to_string(i) + ".";
    auto a = layer_norm(x, param(p, h + "ln_1.weight"), param(p, h + "ln_1.bias"), c.norm_eps);
    auto qkv = torch::addmm(param(p, h + "attn.c_attn.bias"), a.flatten(0, 1),
                            param(p, h + "attn.c_attn.weight"))
                   .view({a.size(0), a.size(1), -1})
                   .chunk(3, -1);
    auto [k, v] = with_cache(opt.cache, size_t(i), split_heads(qkv[1], c.n_head),
                             split_heads(qkv[2], c.n_head));
    auto y = merge_heads(attend(split_heads(qkv[0], c.n_head), k, v, bias));
    x = x + torch::matmul(y, param(p, h + "attn.c_proj.weight")) + param(p, h + "attn.c_proj.bias");
    auto m = layer_norm(x, param(p, h + "ln_2.weight"), param(p, h + "ln_2.bias"), c.norm_eps);
    m = gelu_tanh(torch::matmul(m, param(p, h + "mlp.c_fc.weight")) +
                  param(p, h + "mlp.c_fc.bias"));
    x = x + torch::matmul(m, param(p, h + "mlp.c_proj.weight")) + param(p, h + "mlp.c_proj.bias");
  }
  x = layer_norm(head_rows(x, opt), param(p, "ln_f.weight"), param(p, "ln_f.bias"), c.norm_eps);
  return torch::matmul(x, wte.t());
}

torch::Tensor llama_forward(const ModelConfig& c, const TensorMap& p, const torch::Tensor& tokens,
                            const ForwardOptions& opt) {
  const int64_t past = opt.cache ? opt.cache->length() : 0;
  const int64_t hd = c.head_dim(), rep = c.n_head / c.n_kv_head;
  auto emb = param(p, "model.embed_tokens.weight");
  auto x = F::embedding(tokens, emb);
  auto [cos, sin] = rope_tables(positions_for(tokens, opt, past), hd, c.rope_theta, x.options());
  auto bias = attention_bias(past, tokens.size(1), opt.key_mask, x.options());
  for (int64_t i = 0; i < c.n_layer; ++i) {
    const std::string l = "model.layers." + std::to_string(i) + ".";
    auto a = rms_norm(x, param(p, l + "input_layernorm.weight"), c.norm_eps);
    auto q = apply_rope(
        split_heads(F::linear(a, param(p, l + "self_attn.q_proj.weight")), c.n_head), cos, sin);
    auto k = apply_rope(
        split_heads(F::linear(a, param(p, l + "self_attn.k_proj.weight")), c.n_kv_head), cos, sin);
    auto v = split_heads(F::linear(a, param(p, l + "self_attn.v_proj.weight")), c.n_kv_head);
    std::tie(k, v) = with_cache(opt.cache, size_t(i), k, v);
    if (rep > 1) {
      k = k.repeat_interleave(rep, 1);
      v = v.repeat_interleave(rep, 1);
    }
    auto y = merge_heads(attend(q, k, v, bias));
    x = x + F::linear(y, param(p, l + "self_attn.o_proj.weight"));
    auto m = rms_norm(x, param(p, l + "post_attention_layernorm.weight"), c.norm_eps);
    m = torch::silu(F::linear(m, param(p, l + "mlp.gate_proj.weight"))) *
        F::linear(m, param(p, l + "mlp.up_proj.weight"));
    x = x + F::linear(m, param(p, l + "mlp.down_proj.weight"));
  }
  x = rms_norm(head_rows(x, opt), param(p, "model.norm.weight"), c.norm_eps);
  return F::linear(x, lm_head_weight(c, p));
}

}  // namespace

torch::Tensor forward(const ModelConfig& cfg, const TensorMap& params, const torch::Tensor& tokens,
                      const ForwardOptions& opt) {
  if (tokens.dim() != 2) throw ConfigError("forward: tokens must be [batch, length]");
  return cfg.arch == Arch::Gpt2 ? gpt2_forward(cfg, params, tokens, opt)
                                : llama_forward(cfg, params, tokens, opt);
}

std::string lm_head_name(const ModelConfig& cfg) {
  if (cfg.arch == Arch::Gpt2) return "wte.weight";
  return cfg.tied_head ? "model.embed_tokens.weight" : "lm_head.weight";
}

torch::Tensor lm_head_weight(const ModelConfig& cfg, const TensorMap& params) {
  return param(params, lm_head_name(cfg));
}

std::vector<std::pair<std::string, std::vector<int64_t>>> expected_shapes(const ModelConfig& c) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> s;
  const int64_t d = c.d_model, f = c.d_ff;
  if (c.arch == Arch::Gpt2) {
    s.push_back({"wte.weight", {c.vocab_size, d}});
    s.push_back({"wpe.weight", {c.max_ctx, d}});
    for (int64_t i = 0; i < c.n_layer; ++i) {
      const std::string h = "h." + std::to_string(i) + ".";
      s.push_back({h + "ln_1.weight", {d}});
      s.push_back({h + "ln_1.bias", {d}});
      s.push_back({h + "attn.c_attn.weight", {d, 3 * d}});
      s.push_back({h + "attn.c_attn.bias", {3 * d}});
      s.push_back({h + "attn.c_proj.weight", {d, d}});
      s.push_back({h + "attn.c_proj.bias", {d}});
      s.push_back({h + "ln_2.weight", {d}});
      s.push_back({h + "ln_2.bias", {d}});
      s.push_back({h + "mlp.c_fc.weight", {d, f}});
      s.push_back({h + "mlp.c_fc.bias", {f}});
      s.push_back({h + "mlp.c_proj.weight", {f, d}});
      s.push_back({h + "mlp.c_proj.bias", {d}});
    }
    s.push_back({"ln_f.weight", {d}});
    s.push_back({"ln_f.bias", {d}});
    return s;
  }
  const int64_t hd = c.head_dim(), kv = c.n_kv_head * hd;
  s.push_back({"model.embed_tokens.weight", {c.vocab_size, d}});
  for (int64_t i = 0; i < c.n_layer; ++i) {
    const std::string l = "model.layers." + std::to_string(i) + ".";
    s.push_back({l + "input_layernorm.weight", {d}});
    s.push_back({l + "self_attn.q_proj.weight", {c.n_head * hd, d}});
    s.push_back({l + "self_attn.k_proj.weight", {kv, d}});
    s.push_back({l + "self_attn.v_proj.weight", {kv, d}});
    s.push_back({l + "self_attn.o_proj.weight", {d, c.n_head * hd}});
    s.push_back({l + "post_attention_layernorm.weight", {d}});
    s.push_back({l + "mlp.gate_proj.weight", {f, d}});
    s.push_back({l + "mlp.up_proj.weight", {f, d}});
    s.push_back({l + "mlp.down_proj.weight", {d, f}});
  }
  s.push_back({"model.norm.weight", {d}});
  if (!c.tied_head) s.push_back({"lm_head.weight", {c.vocab_size, d}});
  return s;
}

void check_params(const ModelConfig& cfg, const TensorMap& params, const std::string& source) {
  cfg.validate();
  auto shapes = expected_shapes(cfg);
  for (const auto& [name, shape] : shapes) {
    auto it = params.find(name);
    if (it == params.end())
      throw FormatError(source, -1, "missing tensor '" + name + "' required by the config");
    if (it->second.sizes().vec() != shape) {
      throw FormatError(source, -1,
                        "tensor '" + name + "' has shape " + c10::str(it->second.sizes()) +
                            " but the config implies " + c10::str(at::IntArrayRef(shape)));
    }
  }
  if (params.size() != shapes.size()) {
    for (const auto& [name, t] : params) {
      bool known = false;
      for (const auto& s : shapes) known = known || s.first == name;
      if (!known) throw FormatError(source, -1, "unexpected tensor '" + name + "' for this config");
    }
  }
}

TensorMap init_params(const ModelConfig& cfg, uint64_t seed, torch::ScalarType dtype) {
  cfg.validate();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  TensorMap p;
  auto o = torch::TensorOptions().dtype(torch::kFloat32);
  const double resid = 0.02 / std::sqrt(2.0 * double(cfg.n_layer));
  for (const auto& [name, shape] : expected_shapes(cfg)) {
    torch::Tensor t;
    bool norm = name.find("ln_") != std::string::npos ||
                name.find("layernorm") != std::string::npos || name == "model.norm.weight";
    if (norm) {
      t = name.ends_with(".bias") ? torch::zeros(shape, o) : torch::ones(shape, o);
    } else if (name.ends_with(".bias")) {
      t = torch::zeros(shape, o);
    } else {
      bool proj = name.ends_with("c_proj.weight") || name.ends_with("o_proj.weight") ||
                  name.ends_with("down_proj.weight");
      t = at::normal(0.0, proj ? resid : 0.02, shape, gen, o);
    }
    p[name] = t.to(dtype);
  }
  return p;
}

}  // namespace dpg::model
