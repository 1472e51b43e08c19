// SPDX-License-Identifier: MIT
// RunStore::add_rollout_stats: a step's rollout statistics, recomputed from its stored samples.
#include "core/dpg/rollout_stats.h"
#include "core/store/run_store.h"
#include "core/store/sqlite_util.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace dpg::store {
using detail::Statement;

namespace {
/// G of the run's stored config (0 when it cannot be read).
int64_t group_size_of(const std::string& config_json) {
  const auto j = nlohmann::json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("grpo") || !j["grpo"].is_object()) return 0;
  const auto& g = j["grpo"].value("group_size", nlohmann::json());
  return g.is_number_integer() ? g.get<int64_t>() : 0;
}
}  // namespace

void RunStore::add_rollout_stats(int64_t run_id, int64_t after,
                                 std::vector<engine::StepMetrics>& steps) const {
  if (steps.empty()) return;
  Statement config(db_, "SELECT config_json FROM runs WHERE id = ?");
  const int64_t group_size = config.bind(1, run_id).step() ? group_size_of(config.text(0)) : 0;
  // Only τ and Â, in step and index order (the primary key's order): one pass over the rows.
  Statement st(db_,
               "SELECT step, tau, advantage FROM samples WHERE run_id = ? AND step > ? "
               "ORDER BY step, idx");
  st.bind(1, run_id).bind(2, after);
  std::vector<double> tau, advantage;
  size_t next = 0;  // steps[next] is the first step not yet filled
  int64_t current = -1;
  const auto flush = [&] {
    while (next < steps.size() && steps[next].step < current) ++next;
    if (next < steps.size() && steps[next].step == current)
      engine::fill_rollout_stats(steps[next], tau, advantage, group_size);
    tau.clear();
    advantage.clear();
  };
  while (st.step()) {
    if (st.int64(0) != current) {
      if (!tau.empty()) flush();
      current = st.int64(0);
    }
    tau.push_back(st.real(1));
    advantage.push_back(st.real(2));
  }
  if (!tau.empty()) flush();
}

}  // namespace dpg::store
