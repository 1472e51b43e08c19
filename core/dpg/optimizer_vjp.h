// SPDX-License-Identifier: MIT
#pragma once
/// @file Closed-form vector-Jacobian product of one AdamW/SGD update s_{t−1}, g_t ↦ s_t.
#include "core/dpg/inner_trainer.h"

namespace dpg::engine {

/// Adjoint of a state (φ̄, m̄, v̄); m̄ and v̄ are empty for SGD.
struct Adjoint {
  std::vector<torch::Tensor> params, m, v;
};

/// Given λ_t (adjoint of s_t), returns ḡ_t and replaces @p lam by the direct part of λ_{t−1}
/// (everything but the Hessian term that flows through g_t). For AdamW, with
/// m' = β1 m + (1−β1) g, v' = β2 v + (1−β2) g², r = √(v'/c2 + ε_root), d = r + ε:
///   m̄'_tot = m̄' − η φ̄' / (c1 d)
///   v̄'_tot = v̄' + η φ̄' (m'/c1) / (2 c2 r d²)
///   φ̄ = (1 − ηλ) φ̄',  m̄ = β1 m̄'_tot,  v̄ = β2 v̄'_tot,  ḡ = (1−β1) m̄'_tot + 2(1−β2) g v̄'_tot.
/// For SGD (φ' = φ − η g): φ̄ = φ̄', ḡ = −η φ̄'.
std::vector<torch::Tensor> optimizer_vjp(const InnerConfig& ic, const OptState& prev,
                                         const std::vector<torch::Tensor>& g, int64_t t,
                                         Adjoint& lam);

}  // namespace dpg::engine
