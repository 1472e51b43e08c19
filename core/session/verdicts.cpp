// SPDX-License-Identifier: MIT
#include "core/session/verdicts.h"

#include <nlohmann/json.hpp>

namespace dpg::session {

store::VerdictSummary validation_verdicts(const store::RunStore& store, int64_t run_id,
                                          const plugin::PluginRegistry& plugins) {
  const auto run = store.run(run_id);
  if (!run) return {};
  const auto config = nlohmann::json::parse(run->config_json, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object() || !config.contains("objective")) return {};
  const auto kind = config["objective"].value("kind", std::string());
  return store::summarise_validations(store, run_id, plugins.judges(kind));
}

}  // namespace dpg::session
