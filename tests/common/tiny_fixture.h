// SPDX-License-Identifier: MIT
#pragma once
// Small random models and datasets shared by the engine tests (header-only test helper).
#include "core/dpg/inner_trainer.h"
#include "core/dpg/metagrad.h"
#include "core/model/transformer.h"
#include "tests/common/tiny_configs.h"

#include <torch/torch.h>

namespace dpg::test {

/// n random sequences of length L; the last few positions of some rows are padding (mask 0).
inline engine::InnerData random_data(int64_t n, int64_t L, int64_t vocab, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  engine::InnerData d;
  d.tokens = at::randint(0, vocab, {n, L}, gen, torch::TensorOptions().dtype(torch::kLong));
  d.mask = torch::ones({n, L}, torch::kFloat64);
  auto lens = at::randint(L / 2, L + 1, {n}, gen, torch::TensorOptions().dtype(torch::kLong));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = lens[i].item<int64_t>();
    if (len < L) d.mask[i].narrow(0, len, L - len).zero_();
  }
  d.mask[0][0] = 0;
  return d;
}

/// Φ = −mean softplus (on the device of the parameters it is given)(−s·Y⊙(P_T − P_0)) on a patch of
/// the LM head: the bitmap objective's formula.
inline engine::PhiFn bitmap_Phi(const model::ModelConfig& cfg, int64_t rows, int64_t cols,
                                int64_t tok_off, uint64_t seed, double s = 20.0) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto y =
      (at::randint(0, 2, {rows, cols}, gen, torch::TensorOptions().dtype(torch::kLong)) * 2 - 1)
          .to(torch::kFloat64);
  return [cfg, rows, cols, tok_off, y, s](const model::TensorMap& pT, const model::TensorMap& p0) {
    auto head = model::lm_head_weight(cfg, pT), head0 = model::lm_head_weight(cfg, p0);
    auto P = head.narrow(0, tok_off, cols).narrow(1, 0, rows).t();
    auto P0 = head0.narrow(0, tok_off, cols).narrow(1, 0, rows).t();
    return -torch::softplus(-s * y.to(P.device(), P.scalar_type()) * (P - P0)).mean();
  };
}

/// Φ that depends on every layer: minus the mean loss of the target on fixed reference tokens.
inline engine::PhiFn likelihood_Phi(const model::ModelConfig& cfg, const torch::Tensor& ref) {
  return [cfg, ref](const model::TensorMap& pT, const model::TensorMap&) {
    const int64_t L = ref.size(1);
    const auto on = ref.to(pT.begin()->second.device());  // the target's device
    auto logits = model::forward(cfg, pT, on.narrow(1, 0, L - 1));
    auto logp = torch::log_softmax(logits, -1);
    return logp.gather(-1, on.narrow(1, 1, L - 1).unsqueeze(-1)).mean();
  };
}

}  // namespace dpg::test
