// SPDX-License-Identifier: MIT
#pragma once
/// @file Plain value types that one DPG step produces. The engine emits them, the store persists
/// them, and the GUI plots them; they cross threads by value.
#include "core/dpg/objective_view.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dpg::engine {

/// Scalars of one GRPO step (train) and, when validated at this step, the validation values.
struct StepMetrics {
  int64_t step = 0;
  double Phi = 0.0;            ///< Φ of the target trained on this step's rollouts
  double metric = 0.0;         ///< the objective's readable metric on the same target
  double val_Phi = 0.0;        ///< validation Φ (NaN when not validated at this step)
  double val_metric = 0.0;     ///< validation readable metric (NaN when not validated)
  double reward_mean = 0.0;    ///< mean τ over the rollouts
  double reward_std = 0.0;     ///< std of τ over the rollouts
  double policy_loss = 0.0;    ///< clipped surrogate loss (token-mean)
  double clip_frac = 0.0;      ///< fraction of tokens whose ratio was clipped
  double kl = 0.0;             ///< KL to the frozen starting generator (token-mean estimate)
  double entropy = 0.0;        ///< mean token entropy of the samples
  double fluency_nll = 0.0;    ///< NLL per token of the samples under the frozen starting generator
  double gen_tok_per_s = 0.0;  ///< generation throughput
  double step_seconds = 0.0;   ///< wall time of the whole step
  double t_generate = 0.0, t_inner = 0.0, t_update = 0.0;  ///< where the step's time went
  // From the step's rollouts (core/dpg/rollout_stats.h); not stored, since the stored samples give
  // them again. NaN when unknown.
  static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
  double frac_zero_std = kUnknown;  ///< share of prompt groups whose τ are all equal (Â = 0)
  double adv_min = kUnknown, adv_q1 = kUnknown, adv_median = kUnknown, adv_q3 = kUnknown,
         adv_max = kUnknown;  ///< the sequence advantages Â_i: range, quartiles and median
};

/// One rollout: prompt, response, its metagradient reward τ and its GRPO advantage.
struct Sample {
  int64_t index = 0;
  std::string prompt;
  std::string response;
  double tau = 0.0;
  double advantage = 0.0;
  /// With token credit: τ_ij for each byte j of the response that the target read (its context may
  /// cut the response short), in text order; Σ_j τ_ij plus the EOS column's credit is τ. Empty with
  /// sequence credit.
  std::vector<float> byte_tau;
};

/// An LM-head snapshot: "delta" is P_T − P_0 of the validation (or train) target; "sign" its sign.
struct Snapshot {
  std::string kind;  ///< "delta" | "sign" | "target"
  Image image;
};

/// Everything one completed step hands to observers and the store.
struct StepRecord {
  StepMetrics metrics;
  std::vector<Sample> samples;
  std::vector<Snapshot> snapshots;
  std::string checkpoint_path;  ///< durable generator checkpoint written for this step, if any
  bool validated = false;       ///< validation ran at this step (val_* are set)
  bool new_best = false;        ///< this step's validation metric is the best so far
};

}  // namespace dpg::engine
