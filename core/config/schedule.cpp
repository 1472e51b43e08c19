// SPDX-License-Identifier: MIT
#include "core/config/schedule.h"

#include <algorithm>
#include <cstdio>

namespace dpg::config {

std::vector<ScheduleEvent> schedule_events(const RunConfig& cfg) {
  std::vector<ScheduleEvent> out;
  if (cfg.grpo.lr_drop_step > 0) {
    char lr[32];
    std::snprintf(lr, sizeof lr, "lr %.0e", cfg.grpo.lr_after_drop);
    out.push_back({cfg.grpo.lr_drop_step + 1, lr});
  }
  if (cfg.grpo.kl_drop_step > 0) {
    char kl[32];
    std::snprintf(kl, sizeof kl, "KL %.0e", cfg.grpo.kl_after_drop);
    out.push_back({cfg.grpo.kl_drop_step + 1,
                   cfg.grpo.kl_after_drop > 0 ? std::string(kl) : std::string("KL off")});
  }
  if (cfg.objective.stages.is_array()) {
    int k = 0;
    for (const auto& stage : cfg.objective.stages) {
      ++k;
      if (!stage.is_object() || !stage.contains("from_step") ||
          !stage["from_step"].is_number_integer())
        continue;
      std::string keys;
      if (stage.contains("params") && stage["params"].is_object())
        for (const auto& [key, value] : stage["params"].items())
          keys += (keys.empty() ? "" : ", ") + key;
      const std::string label = "stage " + std::to_string(k) + (keys.empty() ? "" : ": " + keys);
      out.push_back({stage["from_step"].get<int64_t>(), label});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.step < b.step; });
  return out;
}

std::vector<ScheduleEvent> schedule_events_of(const std::string& config_json) noexcept {
  try {
    return schedule_events(RunConfig::from_json(nlohmann::json::parse(config_json)));
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace dpg::config
