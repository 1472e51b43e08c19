// SPDX-License-Identifier: MIT
#pragma once
/// @file Exact per-example metagradients τ_i = ∂Φ(𝒜(w, D))/∂w_i at w = 1 (docs/method.md §3).
///
/// One forward run of 𝒜 stores optimiser states by a checkpoint schedule; one reverse pass then
/// walks t = T..1 carrying the adjoint λ_t of s_t = (φ, m, v):
///   ḡ_t      = closed-form VJP of the AdamW/SGD update (optimizer_vjp.h), or autograd through it;
///   λ_{t−1}  = direct update terms + ∇_φ⟨g_t(φ_{t−1}, w), ḡ_t⟩   (a Hessian-vector product);
///   τ_batch  = ∇_w ⟨g_t(φ_{t−1}, w), ḡ_t⟩                       (the same double backward).
/// Schedules (all exact, tested equal to ≤ 1e-10 in float64):
///   all          store s_{t−1} and g_t every step; rebuild g_t's graph in the reverse step;
///   sqrt         store every k ≈ √T states; recompute each segment, then as "all";
///   all+graphs   keep g_t's create_graph graph from the forward: the reverse is only the double backward;
///   sqrt+graphs  store every k-th state; recompute each segment with graphs kept;
///   unroll       one graph through all T steps (the reference; O(T) graphs).
/// The double backward is micro-batched when graphs are rebuilt, so peak memory is one
/// micro-batch graph plus the stored states.
#include "core/dpg/inner_trainer.h"

#include <functional>
#include <string>

namespace dpg::engine {

enum class Schedule { Auto, All, Sqrt, AllGraphs, SqrtGraphs, Unroll };
std::string schedule_name(Schedule s);
/// "auto", "all", "sqrt", "all+graphs", "sqrt+graphs", "unroll"; throws model::ConfigError otherwise.
Schedule parse_schedule(const std::string& name);

/// Φ(φ_T, φ_0): differentiable in φ_T; higher is better.
using PhiFn = std::function<torch::Tensor(const model::TensorMap& phi_T, const model::TensorMap& phi_0)>;

struct MetagradOptions {
  Schedule schedule = Schedule::Auto;
  int64_t memory_budget_bytes = int64_t(6) << 30;  ///< Auto picks the fastest schedule under this
  std::string spill_dir;       ///< when set, stored states of all/sqrt go to disk here
  bool closed_form_vjp = true; ///< false: back-propagate through the update with autograd
  bool per_token = false;      ///< also give τ_ij, one weight per predicted token (MetagradResult::tau_tokens)
  std::function<bool()> cancelled;  ///< polled between steps; raises Cancelled
  std::function<void(int64_t done, int64_t total, const std::string& phase)> progress;
};

struct MetagradTimings {
  double forward_s = 0, phi_s = 0, reverse_s = 0, total_s = 0;
  double recompute_s = 0;        ///< reverse: rebuilding states and step graphs
  double double_backward_s = 0;  ///< reverse: ∇⟨g_t, ḡ_t⟩ (HVP and τ)
  double vjp_s = 0;              ///< reverse: the optimiser update's VJP
};

struct MetagradResult {
  torch::Tensor tau;             ///< [n] float64, τ_i = ∂Φ/∂w_i at w = 1
  /// [n, L − 1] float64 with MetagradOptions::per_token: τ_ij = ∂Φ/∂w_ij at w = 1, where w_ij weights the loss
  /// of predicting token j + 1 of example i; Σ_j τ_ij = τ_i (the loss is linear in w). Undefined otherwise.
  torch::Tensor tau_tokens;
  double phi = 0;                ///< Φ(φ_T)
  double phi_initial = 0;        ///< Φ(φ_0)
  model::TensorMap phi_T;        ///< the trained target, detached
  torch::Tensor head_before;     ///< LM-head weight of φ_0 [vocab, d]
  torch::Tensor head_after;      ///< LM-head weight of φ_T
  Schedule schedule = Schedule::All;  ///< the schedule that ran
  std::string schedule_reason;   ///< why (Auto's choice and its memory estimate)
  int64_t peak_stored_bytes = 0; ///< most bytes of stored states held at once
  MetagradTimings timings;
};

/// Memory a schedule needs for this trainer and data (an estimate, bytes).
int64_t estimate_memory(const InnerTrainer& trainer, int64_t seq_len, Schedule s);
/// The schedule Auto would pick, with a one-line reason.
std::pair<Schedule, std::string> choose_schedule(const InnerTrainer& trainer, int64_t seq_len,
                                                 int64_t budget_bytes);

/// τ for every example of @p data from one forward and one reverse pass.
MetagradResult metagrad(const InnerTrainer& trainer, const InnerData& data, const PhiFn& phi,
                        const MetagradOptions& opt = {});

}  // namespace dpg::engine
