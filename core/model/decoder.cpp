// SPDX-License-Identifier: MIT
#include "core/model/decoder.h"

#include "core/model/errors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace dpg::model {
namespace {

const torch::Tensor& get(const TensorMap& p, const std::string& name) {
  auto it = p.find(name);
  if (it == p.end()) throw ConfigError("missing parameter '" + name + "'");
  return it->second;
}

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps) * w;
}

}  // namespace

Decoder::Decoder(const ModelConfig& cfg, const TensorMap& p, int64_t batch, int64_t capacity)
    : cfg_(cfg), batch_(batch), capacity_(capacity) {
  cfg.validate();
  torch::NoGradGuard no_grad;
  const int64_t hd = cfg.head_dim();
  for (int64_t i = 0; i < cfg.n_layer; ++i) {
    Layer L;
    if (cfg.arch == Arch::Gpt2) {
      const std::string h = "h." + std::to_string(i) + ".";
      L.norm1_w = get(p, h + "ln_1.weight");
      L.norm1_b = get(p, h + "ln_1.bias");
      L.qkv_w = get(p, h + "attn.c_attn.weight");  // Conv1D: [in, out]
      L.qkv_b = get(p, h + "attn.c_attn.bias");
      L.out_w = get(p, h + "attn.c_proj.weight");
      L.out_b = get(p, h + "attn.c_proj.bias");
      L.norm2_w = get(p, h + "ln_2.weight");
      L.norm2_b = get(p, h + "ln_2.bias");
      L.up_w = get(p, h + "mlp.c_fc.weight");
      L.up_b = get(p, h + "mlp.c_fc.bias");
      L.down_w = get(p, h + "mlp.c_proj.weight");
      L.down_b = get(p, h + "mlp.c_proj.bias");
    } else {
      const std::string l = "model.layers." + std::to_string(i) + ".";
      L.norm1_w = get(p, l + "input_layernorm.weight");
      L.qkv_w = torch::cat({get(p, l + "self_attn.q_proj.weight"), get(p, l + "self_attn.k_proj.weight"),
                            get(p, l + "self_attn.v_proj.weight")});  // [out, in]
      L.out_w = get(p, l + "self_attn.o_proj.weight");
      L.norm2_w = get(p, l + "post_attention_layernorm.weight");
      L.up_w = torch::cat({get(p, l + "mlp.gate_proj.weight"), get(p, l + "mlp.up_proj.weight")});
      L.down_w = get(p, l + "mlp.down_proj.weight");
    }
    layers_.push_back(std::move(L));
  }
  if (cfg.arch == Arch::Gpt2) {
    embed_ = get(p, "wte.weight");
    pos_embed_ = get(p, "wpe.weight");
    final_w_ = get(p, "ln_f.weight");
    final_b_ = get(p, "ln_f.bias");
  } else {
    embed_ = get(p, "model.embed_tokens.weight");
    final_w_ = get(p, "model.norm.weight");
    inv_freq_ = torch::pow(cfg.rope_theta, -torch::arange(0, hd, 2, torch::kDouble) / double(hd));
  }
  head_ = lm_head_weight(cfg, p);
  const auto o = embed_.options();
  k_cache_ = torch::empty({cfg.n_layer, batch, cfg.n_kv_head, capacity, hd}, o);
  v_cache_ = torch::empty_like(k_cache_);
}

torch::Tensor Decoder::attention(size_t layer, const torch::Tensor& qkv, const torch::Tensor& cos,
                                 const torch::Tensor& sin, const torch::Tensor& bias, int64_t L) {
  const int64_t B = batch_, H = cfg_.n_head, KV = cfg_.n_kv_head, hd = cfg_.head_dim(),
                rep = H / KV, T = length_ + L;
  auto x = qkv.view({B, L, H + 2 * KV, hd});
  auto q = x.narrow(2, 0, H), k = x.narrow(2, H, KV), v = x.narrow(2, H + KV, KV);
  const double scale = 1.0 / std::sqrt(double(hd));
  if (cfg_.arch == Arch::Llama) {
    auto rope = [&](const torch::Tensor& t) {  // HF rotate_half: [x1, x2] -> [-x2, x1]
      auto rot = torch::cat({-t.narrow(-1, hd / 2, hd / 2), t.narrow(-1, 0, hd / 2)}, -1);
      return t * cos + rot * sin;
    };
    q = rope(q);
    k = rope(k);
  }
  auto kc = k_cache_[int64_t(layer)], vc = v_cache_[int64_t(layer)];  // [B, KV, cap, hd]
  kc.narrow(2, length_, L).copy_(k.transpose(1, 2));
  vc.narrow(2, length_, L).copy_(v.transpose(1, 2));
  auto K = kc.narrow(2, 0, T), V = vc.narrow(2, 0, T);
  // Query heads grouped by the KV head they share: [B, KV, rep*L, hd]; head h uses KV head h/rep.
  auto qg = (q * scale).reshape({B, L, KV, rep, hd}).permute({0, 2, 3, 1, 4}).reshape({B, KV, rep * L, hd});
  auto s = torch::matmul(qg, K.transpose(-1, -2)).view({B, KV, rep, L, T});
  s.add_(bias);
  auto pr = torch::softmax(s, -1).view({B, KV, rep * L, T});
  auto out = torch::matmul(pr, V);  // [B, KV, rep*L, hd]
  return out.view({B, KV, rep, L, hd}).permute({0, 3, 1, 2, 4}).reshape({B * L, H * hd});
}

torch::Tensor Decoder::step(const torch::Tensor& tokens, const torch::Tensor& positions,
                            const torch::Tensor& key_mask) {
  const int64_t B = tokens.size(0), L = tokens.size(1), T = length_ + L;
  if (B != batch_) throw ConfigError("Decoder: batch " + std::to_string(B) + " != " + std::to_string(batch_));
  if (T > capacity_) throw ConfigError("Decoder: cache capacity " + std::to_string(capacity_) + " exceeded");
  if (key_mask.size(0) != B || key_mask.size(1) != T) throw ConfigError("Decoder: key_mask must be [B, length+L]");
  const auto o = embed_.options();
  auto x = embed_.index_select(0, tokens.reshape({-1}));  // [B*L, d]
  if (cfg_.arch == Arch::Gpt2) x = x + pos_embed_.index_select(0, positions.reshape({-1}));
  // Additive mask [B, 1, 1, L, T]: causal over the appended block plus key padding; a query may
  // always see itself, so padded queries stay finite and never poison later layers with NaN.
  auto qi = torch::arange(length_, T, torch::kLong).unsqueeze(1);
  auto kj = torch::arange(0, T, torch::kLong).unsqueeze(0);
  auto allowed = ((kj <= qi).unsqueeze(0) & key_mask.to(torch::kBool).unsqueeze(1)) | (kj == qi).unsqueeze(0);
  auto bias = torch::zeros({B, L, T}, o).masked_fill_(allowed.logical_not(), -std::numeric_limits<double>::infinity())
                  .view({B, 1, 1, L, T});
  torch::Tensor cos, sin;
  if (cfg_.arch == Arch::Llama) {
    auto ang = positions.to(torch::kDouble).unsqueeze(-1) * inv_freq_;  // [B, L, hd/2]
    ang = torch::cat({ang, ang}, -1).unsqueeze(2);                       // [B, L, 1, hd]
    cos = ang.cos().to(o.dtype());
    sin = ang.sin().to(o.dtype());
  }
  const double eps = cfg_.norm_eps;
  const int64_t d = cfg_.d_model;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& w = layers_[i];
    if (cfg_.arch == Arch::Gpt2) {
      auto h = torch::layer_norm(x, {d}, w.norm1_w, w.norm1_b, eps);
      auto a = attention(i, torch::addmm(w.qkv_b, h, w.qkv_w), cos, sin, bias, L);
      x = torch::addmm(w.out_b, a, w.out_w).add_(x);
      h = torch::layer_norm(x, {d}, w.norm2_w, w.norm2_b, eps);
      h = torch::gelu(torch::addmm(w.up_b, h, w.up_w), "tanh");
      x = torch::addmm(w.down_b, h, w.down_w).add_(x);
    } else {
      auto h = rms_norm(x, w.norm1_w, eps);
      auto a = attention(i, torch::linear(h, w.qkv_w), cos, sin, bias, L);
      x = torch::linear(a, w.out_w).add_(x);
      h = rms_norm(x, w.norm2_w, eps);
      auto gu = torch::linear(h, w.up_w);
      const int64_t ff = cfg_.d_ff;
      h = torch::silu(gu.narrow(1, 0, ff)).mul_(gu.narrow(1, ff, ff));
      x = torch::linear(h, w.down_w).add_(x);
    }
  }
  length_ = T;
  auto last = x.view({B, L, d}).select(1, L - 1);
  last = cfg_.arch == Arch::Gpt2 ? torch::layer_norm(last, {d}, final_w_, final_b_, eps)
                                 : rms_norm(last, final_w_, eps);
  return torch::linear(last, head_);
}

}  // namespace dpg::model
