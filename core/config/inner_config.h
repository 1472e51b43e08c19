// SPDX-License-Identifier: MIT
#pragma once
/// @file The settings of 𝒜, the target's inner training run: the `inner` section of a RunConfig,
/// and what engine::InnerTrainer and the metagradient pass run with. One struct for both; the batch
/// size B is not a setting but follows from the dataset (RunConfig::inner_batch,
/// RunConfig::val_batch), so the trainer takes it beside this struct.
///
/// Each field is documented once, in the field table of run_config.cpp (what `dpg` help texts and
/// the GUI's run-setup form show).
#include "core/config/enums.h"

#include <cstdint>
#include <limits>

namespace dpg::config {

/// memory_budget_bytes() of a budget of 0 MiB: the auto schedule may use any amount.
inline constexpr int64_t kNoMemoryLimit = std::numeric_limits<int64_t>::max();

/// 𝒜's settings (docs/method.md §2). Fields: the "inner.*" rows of the field table in
/// run_config.cpp.
struct InnerConfig {
  int64_t T = 8;
  InnerOptimizer optimizer = InnerOptimizer::AdamW;
  double lr = 1e-2;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double eps_root = 1e-9;
  double weight_decay = 1e-4;
  int64_t micro_batch = 0;
  Dtype dtype = Dtype::Float32;
  Schedule schedule = Schedule::Auto;
  int64_t memory_budget_mb = 0;

  /// The state memory the auto schedule may use: memory_budget_mb MiB, or kNoMemoryLimit at 0.
  int64_t memory_budget_bytes() const;
  /// Throws dpg::model::ConfigError naming the first bad field ("inner.lr: must be a positive
  /// number"). Checks each field alone; RunConfig::validate adds the checks against the dataset (T
  /// divides it).
  void validate() const;
};

}  // namespace dpg::config
