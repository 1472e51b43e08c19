// SPDX-License-Identifier: MIT
#pragma once
/// @file The resource guard: a run's peak memory, estimated before it starts, against what the
/// machine has free. A step runs its phases one after another (generation, the inner runs with
/// their reverse pass, the update), so the peak is the models plus the largest phase.
#include "core/config/run_config.h"
#include "core/dpg/dpg_run.h"

#include <cstdint>
#include <string>

namespace dpg::engine {

/// Estimated bytes of a run, by what holds them.
struct RunMemory {
  int64_t models = 0;      ///< θ, θ_ref, the generator's AdamW m and v and gradient; φ₀
  int64_t generation = 0;  ///< the KV cache of one step's rollouts
  int64_t metagrad = 0;    ///< one inner run: stored states and kept graphs (estimate_memory)
  int64_t update = 0;      ///< the update's activations over one minibatch
  config::Schedule schedule = config::Schedule::All;  ///< the schedule the reverse pass would use
  int64_t peak() const;
};

/// The estimate for @p cfg with the models and prompts of @p in (cfg may differ from in.config).
RunMemory estimate_run_memory(const config::RunConfig& cfg, const RunInputs& in);

/// Memory the system can give a new process now: /proc/meminfo's MemAvailable, less where a cgroup
/// limit leaves less. -1 when neither can be read.
int64_t available_memory();

/// Empty when the run's peak fits @p available bytes (or @p available < 0: unknown). Else one line:
/// the estimate by part, what is available, and settings that fit (the schedule, the micro-batch of
/// the inner run, the update's minibatch), or what to lower when none does. @p ranks_on_host ranks
/// of a data-parallel run share the host: each may use 1/ranks_on_host of @p available (a rank's
/// estimate is that of the whole batch, an upper bound for its share).
std::string memory_refusal(const RunInputs& in, int64_t available, int ranks_on_host = 1);

}  // namespace dpg::engine
