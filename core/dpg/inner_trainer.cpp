// SPDX-License-Identifier: MIT
#include "core/dpg/inner_trainer.h"

#include "core/dpg/errors.h"
#include "core/dpg/forward.h"
#include "core/dpg/precision.h"
#include "core/dpg/rank_share.h"
#include "core/model/errors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <cmath>

namespace dpg::engine {

using model::ConfigError;

InnerTrainer::InnerTrainer(model::ModelConfig cfg, const model::TensorMap& params0, InnerConfig ic,
                           int64_t B)
    : cfg_(std::move(cfg)), ic_(ic), B_(B) {
  ic_.validate();
  if (B_ < 1) throw ConfigError("inner trainer: B, the examples per step, must be at least 1");
  model::check_params(cfg_, params0, "inner trainer");
  for (const auto& [name, t] : params0) {
    names_.push_back(name);
    params0_[name] = t.detach().to(dtype()).contiguous();
    device_ = t.device();
  }
}

void FiniteWatch::add(int64_t t, const torch::Tensor& x) {
  steps_.push_back(t);
  finite_.push_back(torch::isfinite(x.detach()).all());
}

void FiniteWatch::check(const std::string& quantity) {
  if (finite_.empty()) return;
  const auto finite = torch::stack(finite_).cpu();  // the one read-back
  const auto steps = std::move(steps_);
  steps_.clear();
  finite_.clear();
  const auto* ok = finite.data_ptr<bool>();
  for (size_t k = 0; k < steps.size(); ++k)
    if (!ok[k]) throw NonFiniteError(steps[k], quantity);
}

model::TensorMap InnerTrainer::to_map(const std::vector<torch::Tensor>& params) const {
  model::TensorMap m;
  for (size_t k = 0; k < names_.size(); ++k) m.emplace(names_[k], params[k]);
  return m;
}

OptState InnerTrainer::initial_state() const {
  OptState s;
  for (const auto& n : names_) {
    const auto& p = params0_.at(n);
    s.params.push_back(p.clone());
    if (ic_.optimizer == InnerOptimizer::AdamW) {
      s.m.push_back(torch::zeros_like(p));
      s.v.push_back(torch::zeros_like(p));
    }
  }
  return s;
}

InnerData InnerTrainer::to_device(const InnerData& data) const {
  return {data.tokens.to(device_), data.mask.to(device_)};
}

void InnerTrainer::check_data(const InnerData& data) const {
  if (!data.tokens.defined() || data.tokens.dim() != 2)
    throw ConfigError("inner data: tokens must be a [n, L] tensor");
  if (data.size() != ic_.T * B_) {
    throw ConfigError("inner data: " + std::to_string(data.size()) + " examples, but T·B = " +
                      std::to_string(ic_.T) + "·" + std::to_string(B_) + " = " +
                      std::to_string(ic_.T * B_) + " are needed (each example is used once)");
  }
  if (data.seq_len() < 2) throw ConfigError("inner data: sequences need at least 2 tokens");
  if (data.seq_len() - 1 > cfg_.max_ctx && cfg_.arch == model::Arch::Gpt2) {
    throw ConfigError("inner data: sequence length " + std::to_string(data.seq_len()) +
                      " exceeds the target's context " + std::to_string(cfg_.max_ctx + 1));
  }
  if (!data.mask.defined() || data.mask.sizes() != data.tokens.sizes())
    throw ConfigError("inner data: mask must have the shape of tokens");
}

torch::Tensor InnerTrainer::token_losses(const std::vector<torch::Tensor>& params,
                                         const torch::Tensor& tokens,
                                         const torch::Tensor& mask) const {
  const int64_t L = tokens.size(1);
  auto logits = model::forward(cfg_, to_map(params), tokens.narrow(1, 0, L - 1));
  auto logp = torch::log_softmax(logits, -1);
  auto nll = -logp.gather(-1, tokens.narrow(1, 1, L - 1).unsqueeze(-1)).squeeze(-1);  // [n, L−1]
  // ℓ_ij = mask_ij · nll_ij / L  (L is the fixed padded length, not the token count)
  return nll * mask.narrow(1, 1, L - 1).to(nll.scalar_type()) / double(L);
}

torch::Tensor InnerTrainer::example_losses(const std::vector<torch::Tensor>& params,
                                           const torch::Tensor& tokens,
                                           const torch::Tensor& mask) const {
  return token_losses(params, tokens, mask).sum(1);  // ℓ_i = Σ_j ℓ_ij
}

torch::Tensor InnerTrainer::loss(const std::vector<torch::Tensor>& params, const InnerData& data,
                                 int64_t begin, int64_t end, const torch::Tensor& w) const {
  const auto tokens = data.tokens.narrow(0, begin, end - begin);
  const auto mask = data.mask.narrow(0, begin, end - begin);
  // ℒ_t = (1/B) Σ_i w_i ℓ_i, or (1/B) Σ_ij w_ij ℓ_ij with per-token weights
  auto l = w.dim() == 2 ? token_losses(params, tokens, mask) : example_losses(params, tokens, mask);
  return (w.to(l.scalar_type()) * l).sum() / double(B_);
}

std::vector<std::pair<int64_t, int64_t>> InnerTrainer::micro_batches(int64_t t) const {
  std::vector<std::pair<int64_t, int64_t>> r;
  const auto slice = rank_slice(B_, collective_);  // this rank's slice of step t's B examples
  const int64_t start = (t - 1) * B_ + slice.begin, stop = (t - 1) * B_ + slice.end;
  const int64_t mb = micro();
  for (int64_t b = start; b < stop; b += mb) r.emplace_back(b, std::min(stop, b + mb));
  return r;
}

void InnerTrainer::set_collective(Collective* c) {
  if (c && c->world() > B_) {
    throw ConfigError("data parallel: " + std::to_string(c->world()) + " ranks but only " +
                      std::to_string(B_) + " examples per inner step (each rank needs one)");
  }
  collective_ = c && c->world() > 1 ? c : nullptr;
}

void InnerTrainer::all_reduce(std::vector<torch::Tensor>& x) const {
  if (collective_) collective_->all_reduce_sum(x);
}

std::vector<torch::Tensor> InnerTrainer::gradient(const std::vector<torch::Tensor>& params,
                                                  const InnerData& data, int64_t t,
                                                  const torch::Tensor& w,
                                                  FiniteWatch* watch) const {
  torch::AutoGradMode grad_on(true);  // callers may hold a NoGradGuard (sampling threads, GUI)
  std::vector<torch::Tensor> leaves;
  for (const auto& p : params) leaves.push_back(p.detach().requires_grad_(true));
  std::vector<torch::Tensor> g;
  FiniteWatch here;
  FiniteWatch& losses = watch ? *watch : here;
  for (auto [b, e] : micro_batches(t)) {
    auto wt = w.defined() ? w.narrow(0, b, e - b).detach() : torch::ones({e - b}, weight_options());
    auto l = loss(leaves, data, b, e, wt);
    losses.add(t, l);
    auto gm = torch::autograd::grad({l}, leaves);
    if (g.empty()) {
      g = gm;
    } else {
      for (size_t k = 0; k < g.size(); ++k) g[k].add_(gm[k]);
    }
  }
  here.check("inner loss");
  all_reduce(g);
  return g;
}

OptState InnerTrainer::update(const OptState& s, const std::vector<torch::Tensor>& g,
                              int64_t t) const {
  OptState n;
  const double lr = ic_.lr;
  if (ic_.optimizer == InnerOptimizer::Sgd) {
    for (size_t k = 0; k < g.size(); ++k) n.params.push_back(s.params[k] - lr * g[k]);  // φ − ηg
    return n;
  }
  const double c1 = 1.0 - std::pow(ic_.beta1, double(t)), c2 = 1.0 - std::pow(ic_.beta2, double(t));
  for (size_t k = 0; k < g.size(); ++k) {
    auto m = ic_.beta1 * s.m[k] + (1.0 - ic_.beta1) * g[k];         // m = β1 m + (1−β1) g
    auto v = ic_.beta2 * s.v[k] + (1.0 - ic_.beta2) * g[k] * g[k];  // v = β2 v + (1−β2) g²
    auto d = torch::sqrt(v / c2 + ic_.eps_root) + ic_.eps;          // √(v̂ + ε_root) + ε
    n.params.push_back(s.params[k] - lr * ((m / c1) / d + ic_.weight_decay * s.params[k]));
    n.m.push_back(m);
    n.v.push_back(v);
  }
  return n;
}

model::TensorMap InnerTrainer::train(const InnerData& data, const torch::Tensor& w,
                                     const std::function<bool()>& cancelled) const {
  check_data(data);
  const ExactScope exact(device_);  // 𝒜 in inner.dtype whatever run.precision the caller holds
  ForwardOptions o;                 // 𝒜 itself: the forward with an empty plan stores nothing
  o.first = 1;
  o.last = ic_.T;
  o.w = w.defined() ? w.to(device_) : w;
  o.cancelled = cancelled;
  const auto on_device = to_device(data);
  return to_map(forward_pass(*this, on_device, CheckpointPlan{}, initial_state(), o).params);
}

}  // namespace dpg::engine
