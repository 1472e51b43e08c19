// SPDX-License-Identifier: MIT
#include "core/model/decoder.h"

#include "core/model/errors.h"
#include "core/model/nn_ops.h"
#include "core/model/transformer.h"

#include <ATen/Context.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <memory>

namespace dpg::model {
namespace {

using ops::param;
using ops::rms_norm;

// oneDNN's prepacked linear (what torch.compile's CPU "freezing" uses), called through the
// dispatcher because LibTorch has no C++ wrapper for these ops. nullptr when unavailable.
const c10::OperatorHandle* mkldnn_op(const char* name) {
  if (!at::hasMKLDNN()) return nullptr;
  auto op = c10::Dispatcher::singleton().findSchema({name, ""});
  if (!op) return nullptr;
  static std::vector<std::unique_ptr<c10::OperatorHandle>> keep;
  keep.push_back(std::make_unique<c10::OperatorHandle>(*op));
  return keep.back().get();
}
const c10::OperatorHandle* reorder_op() {
  static const c10::OperatorHandle* op = mkldnn_op("mkldnn::_reorder_linear_weight");
  return op;
}
const c10::OperatorHandle* linear_op() {
  static const c10::OperatorHandle* op = mkldnn_op("mkldnn::_linear_pointwise");
  return op;
}

}  // namespace

Decoder::Linear::Linear(const torch::Tensor& weight, const torch::Tensor& bias, int64_t batch_hint)
    : w(weight.contiguous()), b(bias) {
  if (!w.is_cpu() || w.scalar_type() != torch::kFloat32 || !reorder_op() || !linear_op()) return;
  try {
    torch::jit::Stack st{w, c10::IValue(batch_hint)};
    reorder_op()->callBoxed(&st);
    w = st[0].toTensor();
    packed = true;
  } catch (const std::exception&) {
    packed = false;  // keep the plain weight
  }
}

torch::Tensor Decoder::Linear::operator()(const torch::Tensor& x) const {
  if (!packed) return b.defined() ? torch::addmm(b, x, w.t()) : torch::mm(x, w.t());
  torch::jit::Stack st{x.contiguous(),
                       w,
                       b.defined() ? c10::IValue(b) : c10::IValue(),
                       c10::IValue(std::string("none")),
                       c10::IValue(c10::List<std::optional<at::Scalar>>()),
                       c10::IValue(std::string(""))};
  linear_op()->callBoxed(&st);
  return st[0].toTensor();
}

Decoder::Decoder(const ModelConfig& cfg, const TensorMap& p, int64_t batch, int64_t capacity)
    : cfg_(cfg), batch_(batch), capacity_(capacity) {
  cfg.validate();
  torch::NoGradGuard no_grad;
  const int64_t hd = cfg.head_dim();
  // 1/sqrt(head_dim) is folded into the query rows of the QKV weight (RoPE is linear, so scaling
  // before it is the same), which saves one multiply per layer and step.
  const double scale = 1.0 / std::sqrt(double(hd));
  for (int64_t i = 0; i < cfg.n_layer; ++i) {
    Layer L;
    if (cfg.arch == Arch::Gpt2) {
      const std::string h = "h." + std::to_string(i) + ".";
      auto conv1d = [&](const std::string& n) {  // HF Conv1D keeps [in, out]
        return Linear(param(p, h + n + ".weight").t(), param(p, h + n + ".bias"), batch);
      };
      L.norm1_w = param(p, h + "ln_1.weight");
      L.norm1_b = param(p, h + "ln_1.bias");
      auto w = param(p, h + "attn.c_attn.weight").t().clone(),
           b = param(p, h + "attn.c_attn.bias").clone();
      w.narrow(0, 0, cfg.d_model).mul_(scale);
      b.narrow(0, 0, cfg.d_model).mul_(scale);
      L.qkv = Linear(w, b, batch);
      L.out = conv1d("attn.c_proj");
      L.norm2_w = param(p, h + "ln_2.weight");
      L.norm2_b = param(p, h + "ln_2.bias");
      L.up = conv1d("mlp.c_fc");
      L.down = conv1d("mlp.c_proj");
    } else {
      const std::string l = "model.layers." + std::to_string(i) + ".";
      L.norm1_w = param(p, l + "input_layernorm.weight");
      L.qkv = Linear(torch::cat({param(p, l + "self_attn.q_proj.weight") * scale,
                                 param(p, l + "self_attn.k_proj.weight"),
                                 param(p, l + "self_attn.v_proj.weight")}),
                     {}, batch);
      L.out = Linear(param(p, l + "self_attn.o_proj.weight"), {}, batch);
      L.norm2_w = param(p, l + "post_attention_layernorm.weight");
      L.up = Linear(
          torch::cat({param(p, l + "mlp.gate_proj.weight"), param(p, l + "mlp.up_proj.weight")}),
          {}, batch);
      L.down = Linear(param(p, l + "mlp.down_proj.weight"), {}, batch);
    }
    layers_.push_back(std::move(L));
  }
  if (cfg.arch == Arch::Gpt2) {
    embed_ = param(p, "wte.weight");
    pos_embed_ = param(p, "wpe.weight");
    final_w_ = param(p, "ln_f.weight");
    final_b_ = param(p, "ln_f.bias");
  } else {
    embed_ = param(p, "model.embed_tokens.weight");
    final_w_ = param(p, "model.norm.weight");
    inv_freq_ =
        torch::pow(cfg.rope_theta,
                   -torch::arange(0, hd, 2, embed_.options().dtype(torch::kDouble)) / double(hd));
  }
  head_ = Linear(lm_head_weight(cfg, p), {}, batch);
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
  if (cfg_.arch == Arch::Llama) {  // RoPE on queries and keys at once (HF rotate_half)
    auto qk = x.narrow(2, 0, H + KV);
    auto rot = torch::cat({-qk.narrow(-1, hd / 2, hd / 2), qk.narrow(-1, 0, hd / 2)}, -1);
    qk = qk * cos + rot.mul_(sin);
    q = qk.narrow(2, 0, H);
    k = qk.narrow(2, H, KV);
  }
  auto kc = k_cache_[int64_t(layer)], vc = v_cache_[int64_t(layer)];  // [B, KV, cap, hd]
  kc.narrow(2, length_, L).copy_(k.transpose(1, 2));
  vc.narrow(2, length_, L).copy_(v.transpose(1, 2));
  auto K = kc.narrow(2, 0, T), V = vc.narrow(2, 0, T);
  // Query heads grouped by the KV head they share: [B, KV, rep*L, hd]; head h uses KV head h/rep.
  auto qg = q.reshape({B, L, KV, rep, hd}).permute({0, 2, 3, 1, 4}).reshape({B, KV, rep * L, hd});
  auto s = torch::matmul(qg, K.transpose(-1, -2)).view({B, KV, rep, L, T});
  s.add_(bias);
  auto pr = torch::softmax(s, -1).view({B, KV, rep * L, T});
  auto out = torch::matmul(pr, V);  // [B, KV, rep*L, hd]
  return out.view({B, KV, rep, L, hd}).permute({0, 3, 1, 2, 4}).reshape({B * L, H * hd});
}

torch::Tensor Decoder::step(const torch::Tensor& tokens, const torch::Tensor& positions,
                            const torch::Tensor& key_mask) {
  const int64_t B = tokens.size(0), L = tokens.size(1), T = length_ + L;
  if (B != batch_)
    throw ConfigError("Decoder: batch " + std::to_string(B) + " != " + std::to_string(batch_));
  if (T > capacity_)
    throw ConfigError("Decoder: cache capacity " + std::to_string(capacity_) + " exceeded");
  if (key_mask.size(0) != B || key_mask.size(1) != T)
    throw ConfigError("Decoder: key_mask must be [B, length+L]");
  const auto o = embed_.options();
  auto x = embed_.index_select(0, tokens.reshape({-1}));  // [B*L, d]
  if (cfg_.arch == Arch::Gpt2) x = x + pos_embed_.index_select(0, positions.reshape({-1}));
  // Additive mask [B, 1, 1, L, T]: causal over the appended block plus key padding; a query may
  // always see itself, so padded queries stay finite and never poison later layers with NaN.
  auto qi = torch::arange(length_, T, o.dtype(torch::kLong)).unsqueeze(1);
  auto kj = torch::arange(0, T, o.dtype(torch::kLong)).unsqueeze(0);
  auto allowed =
      ((kj <= qi).unsqueeze(0) & key_mask.to(torch::kBool).unsqueeze(1)) | (kj == qi).unsqueeze(0);
  auto bias = torch::zeros({B, L, T}, o)
                  .masked_fill_(allowed.logical_not(), -std::numeric_limits<double>::infinity())
                  .view({B, 1, 1, L, T});
  torch::Tensor cos, sin;
  if (cfg_.arch == Arch::Llama) {
    auto ang = positions.to(torch::kDouble).unsqueeze(-1) * inv_freq_;  // [B, L, hd/2]
    ang = torch::cat({ang, ang}, -1).unsqueeze(2);                      // [B, L, 1, hd]
    cos = ang.cos().to(o.dtype());
    sin = ang.sin().to(o.dtype());
  }
  const double eps = cfg_.norm_eps;
  const int64_t d = cfg_.d_model;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& w = layers_[i];
    if (cfg_.arch == Arch::Gpt2) {
      auto h = torch::layer_norm(x, {d}, w.norm1_w, w.norm1_b, eps);
      auto a = attention(i, w.qkv(h), cos, sin, bias, L);
      x = w.out(a).add_(x);
      h = torch::layer_norm(x, {d}, w.norm2_w, w.norm2_b, eps);
      h = torch::gelu(w.up(h), "tanh");
      x = w.down(h).add_(x);
    } else {
      auto h = rms_norm(x, w.norm1_w, eps);
      auto a = attention(i, w.qkv(h), cos, sin, bias, L);
      x = w.out(a).add_(x);
      h = rms_norm(x, w.norm2_w, eps);
      auto gu = w.up(h);
      const int64_t ff = cfg_.d_ff;
      h = torch::silu(gu.narrow(1, 0, ff)).mul_(gu.narrow(1, ff, ff));
      x = w.down(h).add_(x);
    }
  }
  length_ = T;
  auto last = x.view({B, L, d}).select(1, L - 1);
  last = cfg_.arch == Arch::Gpt2 ? torch::layer_norm(last, {d}, final_w_, final_b_, eps)
                                 : rms_norm(last, final_w_, eps);
  return head_(last.contiguous());
}

}  // namespace dpg::model
