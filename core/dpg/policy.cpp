// SPDX-License-Identifier: MIT
#include "core/dpg/policy.h"

#include "core/dpg/errors.h"
#include "core/dpg/grpo.h"
#include "core/dpg/precision.h"

#include "core/model/transformer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace dpg::engine {

RolloutBatch make_rollout_batch(const std::vector<std::vector<int64_t>>& prompts,
                                const std::vector<std::vector<int64_t>>& responses,
                                int64_t pad_id) {
  const int64_t n = int64_t(prompts.size());
  int64_t lmax = 2, shortest = std::numeric_limits<int64_t>::max();
  for (int64_t i = 0; i < n; ++i) {
    lmax =
        std::max<int64_t>(lmax, int64_t(prompts[size_t(i)].size() + responses[size_t(i)].size()));
    shortest = std::min<int64_t>(shortest, int64_t(prompts[size_t(i)].size()));
  }
  RolloutBatch b;
  b.offset = std::clamp<int64_t>(shortest - 1, 0, lmax - 2);  // 0 for an empty batch (lmax = 2)
  b.tokens = torch::full({n, lmax}, pad_id, torch::kLong);
  b.response_mask = torch::zeros({n, lmax - 1 - b.offset}, torch::kFloat32);
  auto ta = b.tokens.accessor<int64_t, 2>();
  auto ma = b.response_mask.accessor<float, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& p = prompts[size_t(i)];
    const auto& r = responses[size_t(i)];
    int64_t j = 0;
    for (auto id : p) ta[i][j++] = id;
    for (auto id : r) {
      ta[i][j] = id;
      ma[i][j - 1 - b.offset] = 1.0f;  // predicted from position j − 1
      ++j;
    }
  }
  return b;
}

torch::Tensor token_rewards(const torch::Tensor& tau_tokens, const RolloutBatch& b,
                            const std::vector<std::vector<int64_t>>& prompts,
                            const std::vector<std::vector<int64_t>>& token_bytes,
                            const std::vector<std::string>& texts) {
  const int64_t n = b.response_mask.size(0), cols = tau_tokens.size(1);
  if (tau_tokens.size(0) != n || int64_t(token_bytes.size()) != n || int64_t(texts.size()) != n)
    throw std::invalid_argument(
        "token_rewards: tau_tokens, token_bytes and texts must have one row per rollout");
  auto out = torch::zeros(b.response_mask.sizes(), torch::kFloat64);
  auto oa = out.accessor<double, 2>();
  auto tau = tau_tokens.to(torch::kFloat64).contiguous();
  auto ta = tau.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& bytes = token_bytes[size_t(i)];
    const int64_t len = int64_t(texts[size_t(i)].size()), nr = int64_t(bytes.size());
    int64_t written = 0;
    for (int64_t k : bytes) written += k;
    if (written != len)
      throw std::invalid_argument("token credit: response " + std::to_string(i) + "'s " +
                                  std::to_string(nr) + " tokens decode to " +
                                  std::to_string(written) + " bytes, its text has " +
                                  std::to_string(len));
    if (nr == 0) continue;
    const int64_t first =
        int64_t(prompts[size_t(i)].size()) - 1 - b.offset;  // column of response token 0
    int64_t j = 0;  // byte j of the text; τ column j predicts it
    for (int64_t k = 0; k < nr; ++k)
      for (int64_t e = j + bytes[size_t(k)]; j < e; ++j)
        if (j < cols) oa[i][first + k] += ta[i][j];
    if (len < cols) oa[i][first + nr - 1] += ta[i][len];  // the column that predicts EOS
  }
  return out;
}

std::vector<std::vector<int64_t>> response_token_bytes(
    const model::Tokenizer& tok, const std::vector<std::vector<int64_t>>& responses) {
  std::vector<std::vector<int64_t>> out;
  out.reserve(responses.size());
  for (const auto& ids : responses) {
    auto& row = out.emplace_back();
    row.reserve(ids.size());
    for (int64_t id : ids) row.push_back(int64_t(tok.decode({id}, /*skip_special=*/true).size()));
  }
  return out;
}

std::pair<torch::Tensor, torch::Tensor> token_logprobs(const model::ModelConfig& cfg,
                                                       const model::TensorMap& params,
                                                       const torch::Tensor& tokens,
                                                       bool with_entropy, int64_t offset,
                                                       bool entropy_grad) {
  const int64_t L = tokens.size(1);
  model::ForwardOptions fo;
  fo.logits_from = offset;
  auto logits = model::forward(cfg, params, tokens.narrow(1, 0, L - 1), fo);
  auto logp_all = torch::log_softmax(logits, -1);
  auto next = tokens.narrow(1, 1 + offset, L - 1 - offset);
  auto logp = logp_all.gather(-1, next.unsqueeze(-1)).squeeze(-1);
  torch::Tensor entropy;
  if (with_entropy) {
    std::optional<torch::NoGradGuard> ng;
    if (!entropy_grad) ng.emplace();
    entropy = -(logp_all.exp() * logp_all).sum(-1);
  }
  return {logp, entropy};
}

torch::Tensor align_logprobs(const std::vector<std::vector<float>>& logprobs,
                             const RolloutBatch& b) {
  auto out = torch::zeros(b.response_mask.sizes(), torch::kFloat32);
  auto oa = out.accessor<float, 2>();
  auto ma = b.response_mask.accessor<float, 2>();
  for (int64_t i = 0; i < out.size(0); ++i) {
    size_t k = 0;
    for (int64_t j = 0; j < out.size(1) && k < logprobs[size_t(i)].size(); ++j)
      if (ma[i][j] > 0) oa[i][j] = logprobs[size_t(i)][k++];
  }
  return out;
}

PolicyGradient policy_gradient(const model::ModelConfig& cfg, const model::TensorMap& theta,
                               const torch::Tensor& tokens, int64_t offset,
                               const torch::Tensor& mask, const torch::Tensor& logp_old,
                               const torch::Tensor& logp_ref, const torch::Tensor& advantages,
                               const PolicyTerms& terms, int64_t micro_rows,
                               config::Precision precision) {
  const int64_t n = tokens.size(0);
  const int64_t step = micro_rows > 0 ? std::min(micro_rows, n) : n;
  PolicyGradient out;
  out.tokens = mask.sum().item<double>();
  const double total =
      std::max(1.0, out.tokens);  // the token-means' denominator over the mini-batch
  for (const auto& [name, t] : theta) out.grads[name] = torch::zeros_like(t);
  for (int64_t b = 0; b < n; b += step) {
    const int64_t e = std::min(n, b + step);
    auto m = mask.narrow(0, b, e - b);
    const double ntok = m.sum().item<double>();
    if (ntok == 0.0) continue;  // no response token: adds nothing to any token-mean
    model::TensorMap leaves;
    std::vector<torch::Tensor> leaf_list;
    for (const auto& [name, t] : theta) {
      leaves[name] = t.detach().requires_grad_(true);
      leaf_list.push_back(leaves[name]);
    }
    const bool entropy_grad = terms.entropy_coef > 0;
    torch::Tensor logp, ent;
    {
      PrecisionScope reduced(precision, tokens.device());
      std::tie(logp, ent) =
          token_logprobs(cfg, leaves, tokens.narrow(0, b, e - b), true, offset, entropy_grad);
    }
    const auto dtype = leaf_list.front().scalar_type();  // the loss in θ's precision
    logp = logp.to(dtype);
    ent = ent.to(dtype);
    const auto adv = advantages.narrow(0, b, e - b);
    auto pl = clipped_policy_loss(logp, logp_old.narrow(0, b, e - b), adv, m, terms.clip);
    auto loss = pl.loss;
    if (terms.kl_coef > 0)
      loss = loss + terms.kl_coef * kl_to_reference(logp, logp_ref.narrow(0, b, e - b), m);
    if (entropy_grad) loss = loss - terms.entropy_coef * mean_entropy(ent, m);  // bonus β_H·H̄
    // Each term above is a token-mean over this micro-batch; its share ntok/total makes it one over
    // the whole.
    const double share = ntok / total;
    if (!std::isfinite(loss.item<double>())) throw NonFiniteError(0, "policy loss");
    auto grads = torch::autograd::grad({loss * share}, leaf_list, {}, false, false, true);
    torch::NoGradGuard ng;
    size_t k = 0;
    for (auto& [name, g] : out.grads) {
      if (grads[k].defined()) g.add_(grads[k]);
      ++k;
    }
    out.loss += pl.loss.item<double>() * share;
    out.clip_frac += pl.clip_frac * share;
    out.entropy_sum += (ent.detach() * m).sum().item<double>();
  }
  return out;
}

double GeneratorAdamW::step(model::TensorMap& params, const model::TensorMap& grads,
                            double grad_clip) {
  torch::NoGradGuard ng;
  // ‖g‖² summed in float64 in the order of the map, as one read-back from the device.
  torch::Tensor sq;
  for (const auto& [n, g] : grads) {
    const auto part = g.pow(2).sum().to(torch::kFloat64);
    sq = sq.defined() ? sq + part : part;
  }
  const double norm = sq.defined() ? std::sqrt(sq.item<double>()) : 0.0;
  const double scale = grad_clip > 0 && norm > grad_clip ? grad_clip / (norm + 1e-6) : 1.0;
  ++t;
  const double c1 = 1.0 - std::pow(beta1, double(t)), c2 = 1.0 - std::pow(beta2, double(t));
  for (auto& [n, p] : params) {
    auto it = grads.find(n);
    if (it == grads.end() || !it->second.defined()) continue;
    auto g = it->second * scale;
    auto& m_ = m[n];
    auto& v_ = v[n];
    if (!m_.defined()) {
      m_ = torch::zeros_like(p);
      v_ = torch::zeros_like(p);
    }
    m_.mul_(beta1).add_(g, 1.0 - beta1);
    v_.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
    p.mul_(1.0 - lr * weight_decay);
    p.addcdiv_(m_ / c1, (v_ / c2).sqrt_().add_(eps), -lr);
  }
  return norm;
}

}  // namespace dpg::engine
