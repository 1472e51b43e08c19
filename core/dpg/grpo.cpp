// SPDX-License-Identifier: MIT
#include "core/dpg/grpo.h"

#include <torch/torch.h>

namespace dpg::engine {

torch::Tensor group_advantages(const torch::Tensor& rewards, int64_t group_size, double eps) {
  TORCH_CHECK(group_size > 0 && rewards.numel() % group_size == 0,
              "group_advantages: ", rewards.numel(), " rewards do not split into groups of ", group_size);
  auto r = rewards.to(torch::kFloat64).reshape({-1, group_size});
  auto mean = r.mean(1, true);
  auto std = group_size > 1 ? r.std(1, /*unbiased=*/true, true) : torch::zeros_like(mean);
  return ((r - mean) / (std + eps)).reshape({-1});
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
  auto a = advantages.to(logp_new.scalar_type()).unsqueeze(1);
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

}  // namespace dpg::engine
