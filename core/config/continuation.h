// SPDX-License-Identifier: MIT
#pragma once
/// @file Continuing a stored run with changed settings (`dpg resume ID --set key=value`) without
/// rewriting its history: a change is accepted only where it leaves every step already made exactly
/// as it was made, so the stored config still describes the whole run and the continued run equals
/// one started with the new config.
///
/// What may change: grpo.steps (to more than the steps made; this also continues a finished run),
/// name, description, snapshot_every, checkpoint_every, validation.every, and the schedules that
/// are functions of the step: the generator lr drop (grpo.lr_drop_step, grpo.lr_after_drop), the KL
/// drop (grpo.kl_drop_step, grpo.kl_after_drop) and objective.stages, as long as
/// GrpoConfig::lr_at(s), GrpoConfig::kl_at(s) and ObjectiveConfig::params_at(s) stay the same for
/// every step s already made.
#include "core/config/run_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::config {

/// @p stored with the `key=value` @p sets applied and validated, for a run whose steps 1..@p
/// made_steps are kept. Throws dpg::model::ConfigError naming the field when a change would alter
/// one of those steps.
RunConfig continued_config(const RunConfig& stored, const std::vector<std::string>& sets,
                           int64_t made_steps);

}  // namespace dpg::config
