// SPDX-License-Identifier: MIT
#include "core/dpg/grpo.h"

#include <torch/torch.h>

namespace dpg::engine {

torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, double eps) {
  TORCH_CHECK(group_size > 0 && rewards.numel() % group_size == 0,
              "group_advantages: ", rewards.numel(), " rewards do not split into groups of ",
              group_size);
  auto r = rewards.to(torch::kFloat64).reshape({-1, group_size});
  auto mean = r.mean(1, true);
  auto std = group_size > 1 ? r.std(1, /*unbiased=*/true, true) : torch::zeros_like(mean);
  return ((r - mean) / (std + eps)).reshape({-1});
}

torch::Tensor token_advantages(const torch::Tensor& token_rewards, const torch::Tensor& mask,
                               int64_t group_size, double eps) {
  TORCH_CHECK(token_rewards.dim() == 2 && token_rewards.sizes() == mask.sizes(),
              "token_advantages: rewards and mask must both be [N, Lr]");
  TORCH_CHECK(group_size > 0 && token_rewards.size(0) % group_size == 0,
              "token_advantages: ", token_rewards.size(0), " rows do not split into groups of ",
              group_size);
  const int64_t n = token_rewards.size(0), L = token_rewards.size(1);
  auto m = mask.to(torch::kFloat64).reshape({-1, group_size, L});
  auto r = token_rewards.to(torch::kFloat64) * mask.to(torch::kFloat64);
  auto rtg = r.flip({1}).cumsum(1).flip({1}).reshape({-1, group_size, L});  // R_ij = Σ_{k≥j} r_ik
  auto base = (rtg * m).sum(1, true) / m.sum(1, true).clamp_min(1.0);  // group mean per position
  auto r0 = rtg.select(2, 0);                                          // R_i0 = τ_i
  auto std =
      group_size > 1 ? r0.std(1, /*unbiased=*/true, true) : torch::zeros_like(r0.narrow(1, 0, 1));
  return ((rtg - base) / (std.unsqueeze(2) + eps) * m).reshape({n, L});
}

torch::Tensor batch_advantages(const torch::Tensor& rewards, double eps) {
  auto r = rewards.to(torch::kFloat64).reshape({-1});
  auto std = r.numel() > 1 ? r.std() : torch::zeros({}, torch::kFloat64);
  return (r - r.mean()) / (std + eps);
}

PolicyLoss clipped_policy_loss(const torch::Tensor& logp_new, const torch::Tensor& logp_old,
                               const torch::Tensor& advantages, const torch::Tensor& mask,
                               double clip) {
  auto m = mask.to(logp_new.scalar_type());
  auto a = advantages.to(logp_new.scalar_type());
  if (a.dim() == 1) a = a.unsqueeze(1);  // one advantage per row
  auto ratio = torch::exp(logp_new - logp_old.detach());
  auto unclipped = ratio * a;
  auto clipped = torch::clamp(ratio, 1.0 - clip, 1.0 + clip) * a;
  auto ntok = m.sum().clamp_min(1.0);
  PolicyLoss out;
  out.loss = -(torch::min(unclipped, clipped) * m).sum() / ntok;
  torch::NoGradGuard ng;
  auto outside = ((ratio < 1.0 - clip) | (ratio > 1.0 + clip)).to(m.scalar_type()) * m;
  out.clip_frac = (outside.sum() / ntok).item<double>();
  return out;
}

torch::Tensor kl_to_reference(const torch::Tensor& logp, const torch::Tensor& logp_ref,
                              const torch::Tensor& mask) {
  auto m = mask.to(logp.scalar_type());
  auto d = logp_ref.detach() - logp;
  return ((torch::exp(d) - d - 1.0) * m).sum() / m.sum().clamp_min(1.0);
}

torch::Tensor mean_entropy(const torch::Tensor& entropy, const torch::Tensor& mask) {
  auto m = mask.to(entropy.scalar_type());
  return (entropy * m).sum() / m.sum().clamp_min(1.0);
}

}  // namespace dpg::engine
