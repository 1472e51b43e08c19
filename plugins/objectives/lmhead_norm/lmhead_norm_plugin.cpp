// SPDX-License-Identifier: MIT
// The lmhead_norm objective plugin: parameters and objects come from lmhead_norm.h.
#include "core/plugin/objective_plugin.h"
#include "plugins/objectives/lmhead_norm/lmhead_norm.h"

#include <QObject>

namespace {

class LmHeadNormPlugin : public QObject, public dpg::plugin::ObjectivePlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin)

 public:
  std::string id() const override { return "lmhead_norm"; }
  nlohmann::json parameters() const override {
    return dpg::objective::describe(dpg::objective::LmHeadNormObjective::parameters());
  }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json& params) const override {
    return dpg::objective::LmHeadNormObjective::create(params);
  }
};

}  // namespace

#include "lmhead_norm_plugin.moc"
