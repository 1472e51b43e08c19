// SPDX-License-Identifier: MIT
#pragma once
/// @file The step-indexed schedule of a run, for display (the dashboard marks it on every curve):
/// the step after which the generator learning rate drops (grpo.lr_drop_step), the one after which
/// the KL coefficient changes (grpo.kl_drop_step), and the step each objective stage begins
/// (objective.stages).
#include "core/config/run_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::config {

struct ScheduleEvent {
  int64_t step = 0;   ///< the first GRPO step the change applies to
  std::string label;  ///< e.g. "lr 1e-04" or "stage 1: focus"
};

/// The run's schedule changes in step order (none for a run without an lr drop or stages).
std::vector<ScheduleEvent> schedule_events(const RunConfig& cfg);
/// The same from a stored config's JSON text; none when this build cannot read it (the curves still
/// show).
std::vector<ScheduleEvent> schedule_events_of(const std::string& config_json) noexcept;

}  // namespace dpg::config
