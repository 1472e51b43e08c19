// SPDX-License-Identifier: MIT
#include "core/config/inner_config.h"

#include "core/config/checks.h"

namespace dpg::config {

int64_t InnerConfig::memory_budget_bytes() const {
  if (memory_budget_mb <= 0 || memory_budget_mb > (kNoMemoryLimit >> 20)) return kNoMemoryLimit;
  return memory_budget_mb << 20;
}

void InnerConfig::validate() const {
  using namespace check;
  need(T >= 1, "inner.T", "must be at least 1");
  positive(lr, "inner.lr");
  fraction(beta1, "inner.beta1");
  fraction(beta2, "inner.beta2");
  non_negative(eps, "inner.eps");
  non_negative(eps_root, "inner.eps_root");
  non_negative(weight_decay, "inner.weight_decay");
  need(micro_batch >= 0, "inner.micro_batch", "must be 0 (whole batch) or positive");
  need(schedule != Schedule::Unroll, "inner.schedule",
       "must be one of " + spellings_list<Schedule>() + " (got 'unroll', the engine's reference)");
  need(memory_budget_mb >= 0, "inner.memory_budget_mb", "must be 0 (no limit) or positive");
}

}  // namespace dpg::config
