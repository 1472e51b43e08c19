// SPDX-License-Identifier: MIT
#pragma once
/// @file Exact per-example metagradients τ_i = ∂Φ(𝒜(w, D))/∂w_i at w = 1 (docs/method.md §3).
///
/// One forward run of 𝒜 (forward.h) stores optimiser states as a CheckpointPlan says
/// (checkpoint_plan.h); one reverse pass then walks t = T..1, segment by segment, carrying the
/// adjoint λ_t of s_t = (φ, m, v):
///   ḡ_t      = closed-form VJP of the AdamW/SGD update (optimizer_vjp.h), or autograd through it;
///   λ_{t−1}  = direct update terms + ∇_φ⟨g_t(φ_{t−1}, w), ḡ_t⟩   (a Hessian-vector product);
///   τ_batch  = ∇_w ⟨g_t(φ_{t−1}, w), ḡ_t⟩                       (the same double backward).
/// The double backward is micro-batched when graphs are rebuilt, so peak memory is one
/// micro-batch graph plus the stored states.
#include "core/dpg/checkpoint_plan.h"
#include "core/dpg/inner_trainer.h"

#include <functional>
#include <string>

namespace dpg::engine {

/// Φ(φ_T, φ_0): differentiable in φ_T; higher is better.
using PhiFn = std::function<torch::Tensor(const model::TensorMap& params_T,
                                          const model::TensorMap& params_0)>;

struct MetagradOptions {
  Schedule schedule = Schedule::Auto;
  /// Auto picks the fastest schedule under this; config::kNoMemoryLimit: the fastest of all.
  int64_t memory_budget_bytes = int64_t(6) << 30;
  std::string spill_dir;        ///< when set, stored states of all/sqrt go to disk here
  bool closed_form_vjp = true;  ///< false: back-propagate through the update with autograd
  bool per_token =
      false;  ///< also give τ_ij, one weight per predicted token (MetagradResult::tau_tokens)
  std::function<bool()> cancelled;  ///< polled between steps; raises Cancelled
  std::function<void(int64_t done, int64_t total, const std::string& phase)> progress;
};

struct MetagradTimings {
  double forward_s = 0, Phi_s = 0, reverse_s = 0, total_s = 0;
  double recompute_s = 0;        ///< reverse: rebuilding states and step graphs
  double double_backward_s = 0;  ///< reverse: ∇⟨g_t, ḡ_t⟩ (HVP and τ)
  double vjp_s = 0;              ///< reverse: the optimiser update's VJP
};

struct MetagradResult {
  torch::Tensor tau;  ///< [n] float64 on the host, τ_i = ∂Φ/∂w_i at w = 1
  /// [n, L − 1] float64 with MetagradOptions::per_token: τ_ij = ∂Φ/∂w_ij at w = 1, where w_ij
  /// weights the loss of predicting token j + 1 of example i; Σ_j τ_ij = τ_i (the loss is linear in
  /// w). Undefined otherwise.
  torch::Tensor tau_tokens;
  double Phi = 0;                     ///< Φ(φ_T)
  double Phi_initial = 0;             ///< Φ(φ_0)
  model::TensorMap params_T;          ///< φ_T, the trained target, detached, on its device
  Schedule schedule = Schedule::All;  ///< the schedule that ran
  std::string schedule_reason;        ///< why (Auto's choice and its memory estimate)
  int64_t peak_stored_bytes = 0;      ///< most bytes of stored states held at once
  MetagradTimings timings;
};

/// The sizes a memory estimate weighs for this trainer and sequence length.
StepSizes step_sizes(const InnerTrainer& trainer, int64_t seq_len);
/// Memory a schedule needs for this trainer and data (an estimate, bytes).
int64_t estimate_memory(const InnerTrainer& trainer, int64_t seq_len, Schedule s);
/// The schedule Auto would pick, with a one-line reason.
std::pair<Schedule, std::string> choose_schedule(const InnerTrainer& trainer, int64_t seq_len,
                                                 int64_t budget_bytes);

/// τ for every example of @p data from one forward and one reverse pass, on the trainer's device
/// (@p data may be on the host; it is moved there once). τ comes back to the host once, at the end.
MetagradResult metagrad(const InnerTrainer& trainer, const InnerData& data, const PhiFn& Phi,
                        const MetagradOptions& opt = {});

}  // namespace dpg::engine
