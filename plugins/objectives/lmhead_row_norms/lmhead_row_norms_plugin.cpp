// SPDX-License-Identifier: MIT
// The lmhead_row_norms objective plugin over lmhead_row_norms.h.
#include "core/plugin/objective_plugin.h"
#include "plugins/objectives/lmhead_row_norms/lmhead_row_norms.h"

#include <QObject>

namespace {

class LmHeadRowNormsPlugin : public QObject, public dpg::plugin::ObjectivePlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin)

 public:
  std::string id() const override { return "lmhead_row_norms"; }
  nlohmann::json parameters() const override {
    return dpg::objective::describe(dpg::objective::LmHeadRowNormsObjective::parameters());
  }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json& params) const override {
    return dpg::objective::LmHeadRowNormsObjective::create(params);
  }
};

}  // namespace

#include "lmhead_row_norms_plugin.moc"
