// SPDX-License-Identifier: MIT
#pragma once
/// @file The collective a data-parallel inner run needs: a sum over ranks (docs/scaling.md).
///
/// Rank r of N holds the whole dataset D but computes only its slice of each step's B examples
/// (InnerTrainer::micro_batches). The gradient g_t = (1/B)·Σ_{i∈batch t} w_i ∇ℓ_i is then the sum
/// over ranks of each rank's partial sum, so every rank holds the same φ_t, m_t, v_t. In the
/// reverse pass the adjoint λ is replicated: each rank computes τ_i of its own examples once, and
/// its part of the Hessian-vector product ∇_φ⟨g_t, ḡ_t⟩, which is summed over ranks the same way.
#include <torch/torch.h>

#include <stdexcept>
#include <vector>

namespace dpg::engine {

/// A collective that could not complete: another rank died, hung past the timeout, or left.
struct CollectiveFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int world() const = 0;
  /// Replaces each tensor by its sum over the ranks (tensors may differ in dtype). Every rank
  /// makes the same calls in the same order with tensors of the same shapes; throws
  /// CollectiveFailure when a rank fails or times out.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
};

}  // namespace dpg::engine
