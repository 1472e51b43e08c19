// SPDX-License-Identifier: MIT
#pragma once
/// @file What a step's rollouts say beyond τ's mean and spread: the share of prompt groups that
/// carry no learning signal, and the distribution of the GRPO advantages. Plain arithmetic over
/// the stored τ_i and Â_i, so the engine fills them for a live step and the store recomputes them
/// from a stored step's samples.
#include "core/dpg/records.h"

#include <cstdint>
#include <span>

namespace dpg::engine {

/// The share of groups (@p group_size consecutive rewards: the responses to one prompt) whose τ are
/// all equal, TRL's frac_reward_zero_std. Such a group's advantages are 0, so it teaches the
/// generator nothing. "Equal" allows a difference of 1e-6 of the step's τ spread (the std over all
/// its rewards). NaN when there is no whole group.
double frac_zero_spread(std::span<const double> tau, int64_t group_size);

/// The q-quantile (0 ≤ q ≤ 1) of @p values, linearly interpolated between order statistics; NaN
/// when empty.
double quantile(std::span<const double> values, double q);

/// Sets m.frac_zero_std, and m.adv_min … m.adv_max from the advantages (NaN when there are none).
void fill_rollout_stats(StepMetrics& m, std::span<const double> tau,
                        std::span<const double> advantage, int64_t group_size);
/// The same from a step's samples (their τ and advantage, in index order).
void fill_rollout_stats(StepMetrics& m, const std::vector<Sample>& samples, int64_t group_size);

}  // namespace dpg::engine
