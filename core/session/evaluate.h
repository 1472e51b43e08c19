// SPDX-License-Identifier: MIT
#pragma once
/// @file Re-validation of a stored generator checkpoint (`dpg eval`, the History tab's
/// "Re-validate…"). Read-only: opens the store read-only and writes nothing. With the run's own
/// settings it repeats the stored validation of that step exactly (DpgRun::validate is seeded from
/// seed, step and repeat); overrides of validation.* measure the same generator another way (more
/// repeats, more prompts, another temperature or T_val).
#include "core/config/run_config.h"
#include "core/dpg/dpg_run.h"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace dpg::plugin {
class PluginRegistry;
}

namespace dpg::session {

struct EvalRequest {
  std::string db_path;
  int64_t run_id = 0;
  std::optional<int64_t> step;    ///< default: the run's best step
  std::vector<std::string> sets;  ///< "validation.KEY=VALUE" overrides; any other key is an error
  /// Intra-op threads of the calling thread for the validation; 0: the run's config `threads`, as
  /// its own validations used (the float sums depend on it), or the thread's current count when the
  /// config names none.
  int64_t threads = 0;
  /// run.device of the validation (`dpg eval --device`); empty: the run's own.
  std::string device;
};

struct EvalResult {
  int64_t step = 0;
  std::string checkpoint;    ///< the file that was loaded
  config::RunConfig config;  ///< the run's config with the overrides applied
  engine::Validation validation;
  std::optional<double> stored_phi,
      stored_metric;      ///< the run's own validation of that step, if any
  double metric_sd = 0;   ///< sample standard deviation of the metric over the repeats
  double metric_min = 0;  ///< lowest metric of one repeat
  double metric_max = 0;  ///< highest metric of one repeat
  int64_t threads = 0;    ///< the intra-op threads it ran with
};

/// Loads the checkpoint of the requested step and validates it. Throws std::invalid_argument with
/// one readable line for a missing run, step, checkpoint or a forbidden override; engine::Cancelled
/// when
/// @p cancel is set.
EvalResult evaluate_checkpoint(const EvalRequest& req, const plugin::PluginRegistry& plugins,
                               const std::atomic<bool>* cancel = nullptr);

/// For bitmap objectives: how often each pixel's sign equals Y over the repeats, in [0, 1],
/// row-major like Y (empty when the objective has no sign image). Counted as pixel accuracy counts
/// it.
engine::Image pixel_hit_rates(const engine::Validation& v);
/// For bitmap objectives: in how many repeats every pixel's sign equals Y (0 when there is no sign
/// image).
int64_t whole_image_repeats(const engine::Validation& v);

}  // namespace dpg::session
