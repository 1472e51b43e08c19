// SPDX-License-Identifier: MIT
#pragma once
/// @file 𝒜(w, D): the inner learning algorithm that fine-tunes the target for T steps.
///
/// A pure function of (w, D): every run starts from φ₀ with a fresh optimiser state. Example i is
/// used once, at step ⌊i / B⌋. The batch loss is ℒ_t(φ, w) = (1/B)·Σ_{i∈batch t} w_i·ℓ_i(φ), with
/// ℓ_i = (Σ of unmasked token cross-entropies) / L and L the fixed (padded) sequence length
/// (docs/method.md §2.1). Micro-batching sums micro-batch gradients of the same normalised loss,
/// so it changes nothing but peak memory.
#include "core/config/inner_config.h"
#include "core/dpg/collective.h"
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"

#include <functional>
#include <string>
#include <vector>

namespace dpg::engine {

// 𝒜's settings are the run config's inner section: one struct, core/config/inner_config.h.
using config::Dtype;
using config::InnerConfig;
using config::InnerOptimizer;

/// The LibTorch scalar type of @p d.
inline torch::ScalarType torch_dtype(Dtype d) {
  return d == Dtype::Float64 ? torch::kFloat64 : torch::kFloat32;
}

/// D = (x_1..x_n), n = T·B, as padded token ids plus a loss mask.
struct InnerData {
  torch::Tensor tokens;  ///< [n, L] int64
  torch::Tensor mask;    ///< [n, L] 1 where tokens[:, j] (j ≥ 1) is a real target token, else 0
  int64_t size() const { return tokens.defined() ? tokens.size(0) : 0; }
  int64_t seq_len() const { return tokens.size(1); }
};

/// Optimiser state s = (φ, m, v) in the trainer's parameter order (m, v empty for SGD).
struct OptState {
  std::vector<torch::Tensor> params, m, v;
};

/// Whether values stayed finite, noted on their device and read back once: check() throws
/// NonFiniteError for the first step noted with a NaN or Inf, as a check at each step would, but
/// without a host round trip per step (which would stall a GPU).
class FiniteWatch {
 public:
  /// Notes whether every element of @p x is finite, for 1-based step @p t.
  void add(int64_t t, const torch::Tensor& x);
  /// Throws NonFiniteError(t, @p quantity) for the first step noted with a non-finite value; then
  /// forgets what was noted.
  void check(const std::string& quantity);

 private:
  std::vector<int64_t> steps_;
  std::vector<torch::Tensor> finite_;
};

/// Holds φ₀ and the settings; every method is const and thread-compatible.
class InnerTrainer {
 public:
  /// 𝒜 with the settings @p ic (T steps among them) on batches of @p B examples, n = T·B, on the
  /// device of @p params0. Throws model::ConfigError naming a bad setting.
  InnerTrainer(model::ModelConfig cfg, const model::TensorMap& params0, InnerConfig ic, int64_t B);

  const model::ModelConfig& model_config() const { return cfg_; }
  const InnerConfig& config() const { return ic_; }
  int64_t T() const { return ic_.T; }
  /// Examples per step.
  int64_t B() const { return B_; }
  /// Examples per micro-batch: inner.micro_batch, or the whole step.
  int64_t micro() const {
    return ic_.micro_batch > 0 && ic_.micro_batch < B_ ? ic_.micro_batch : B_;
  }
  /// The precision φ and the losses are computed in.
  torch::ScalarType dtype() const { return torch_dtype(ic_.dtype); }
  /// Where φ₀ lives, and so every state, gradient and weight of 𝒜 (run.device).
  torch::Device device() const { return device_; }
  /// Options of a weight tensor w: the trainer's dtype and device.
  torch::TensorOptions weight_options() const {
    return torch::TensorOptions().dtype(dtype()).device(device_);
  }
  const std::vector<std::string>& names() const { return names_; }
  const model::TensorMap& params0() const { return params0_; }
  model::TensorMap to_map(const std::vector<torch::Tensor>& params) const;
  OptState initial_state() const;

  /// Per-token ℓ_ij = mask_ij·nll_ij / L for rows of tokens/mask, shape [rows, L − 1]
  /// (differentiable in φ); column j is the loss of predicting token j + 1.
  torch::Tensor token_losses(const std::vector<torch::Tensor>& params, const torch::Tensor& tokens,
                             const torch::Tensor& mask) const;
  /// Per-example ℓ_i = Σ_j ℓ_ij for rows of tokens/mask (differentiable in φ).
  torch::Tensor example_losses(const std::vector<torch::Tensor>& params,
                               const torch::Tensor& tokens, const torch::Tensor& mask) const;
  /// (1/B)·Σ w_i ℓ_i over examples [begin, end) (a micro-batch of one step). @p w holds end − begin
  /// weights, or [end − begin, L − 1] per-token weights: (1/B)·Σ_ij w_ij ℓ_ij (equal at w = 1).
  torch::Tensor loss(const std::vector<torch::Tensor>& params, const InnerData& data, int64_t begin,
                     int64_t end, const torch::Tensor& w) const;
  /// Micro-batch ranges [begin, end) of 1-based step t: with a collective, of this rank's slice
  /// of the step only (rank r of N takes the r-th of N contiguous slices, the first B mod N of
  /// them one example longer).
  std::vector<std::pair<int64_t, int64_t>> micro_batches(int64_t t) const;
  /// Runs data parallel over @p c's ranks (nullptr: one process). The gradient of each step is
  /// summed over the ranks. Throws model::ConfigError when a rank would get no example (B < N).
  void set_collective(Collective* c);
  Collective* collective() const { return collective_; }
  /// Sums @p x over the ranks (nothing with one process).
  void all_reduce(std::vector<torch::Tensor>& x) const;

  /// g_t = ∇_φ ℒ_t(φ, w) without a graph. @p w is the full [n] weight vector (undefined = ones).
  /// A loss that is not finite is noted in @p watch, or, without one, throws NonFiniteError.
  std::vector<torch::Tensor> gradient(const std::vector<torch::Tensor>& params,
                                      const InnerData& data, int64_t t, const torch::Tensor& w = {},
                                      FiniteWatch* watch = nullptr) const;
  /// s_t from s_{t−1} and g_t (1-based t for bias correction). Functional; differentiable when the
  /// inputs carry graphs.
  OptState update(const OptState& s, const std::vector<torch::Tensor>& g, int64_t t) const;

  /// Plain 𝒜(w, D): φ_T. @p cancelled is polled between steps (throws Cancelled). @p data may be
  /// on the host; it is moved to device() once.
  model::TensorMap train(const InnerData& data, const torch::Tensor& w = {},
                         const std::function<bool()>& cancelled = {}) const;

  /// Checks data shape against T·B and the model context; throws model::ConfigError.
  void check_data(const InnerData& data) const;
  /// @p data on device() (the same tensors when they are there already).
  InnerData to_device(const InnerData& data) const;

 private:
  model::ModelConfig cfg_;
  InnerConfig ic_;
  int64_t B_;
  torch::Device device_ = torch::kCPU;
  model::TensorMap params0_;
  std::vector<std::string> names_;
  Collective* collective_ = nullptr;
};

}  // namespace dpg::engine
