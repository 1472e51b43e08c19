// SPDX-License-Identifier: MIT
#include "core/dpg/optimizer_vjp.h"

#include <torch/torch.h>

#include <cmath>

namespace dpg::engine {

std::vector<torch::Tensor> optimizer_vjp(const InnerConfig& ic, const OptState& prev,
                                         const std::vector<torch::Tensor>& g, int64_t t,
                                         Adjoint& lam) {
  torch::NoGradGuard ng;
  std::vector<torch::Tensor> gbar(g.size());
  const double lr = ic.lr;
  if (ic.optimizer == InnerOptimizer::Sgd) {
    for (size_t k = 0; k < g.size(); ++k) gbar[k] = -lr * lam.params[k];  // ḡ = −η φ̄'
    return gbar;                                                          // φ̄ = φ̄'
  }
  const double b1 = ic.beta1, b2 = ic.beta2;
  const double c1 = 1.0 - std::pow(b1, double(t)), c2 = 1.0 - std::pow(b2, double(t));
  for (size_t k = 0; k < g.size(); ++k) {
    auto m = b1 * prev.m[k] + (1.0 - b1) * g[k];
    auto v = b2 * prev.v[k] + (1.0 - b2) * g[k] * g[k];
    auto r = torch::sqrt(v / c2 + ic.eps_root);
    auto d = r + ic.eps;
    const auto& pbar = lam.params[k];
    auto mbar = lam.m[k] - (lr / c1) * pbar / d;                             // m̄'_tot
    auto vbar = lam.v[k] + (lr / (2.0 * c1 * c2)) * pbar * m / (r * d * d);  // v̄'_tot
    gbar[k] = (1.0 - b1) * mbar + (2.0 * (1.0 - b2)) * g[k] * vbar;          // ḡ
    lam.params[k] = (1.0 - lr * ic.weight_decay) * pbar;                     // φ̄
    lam.m[k] = b1 * mbar;                                                    // m̄
    lam.v[k] = b2 * vbar;                                                    // v̄
  }
  return gbar;
}

}  // namespace dpg::engine
