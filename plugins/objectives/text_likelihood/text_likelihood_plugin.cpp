// SPDX-License-Identifier: MIT
// The text_likelihood objective plugin: parameters and objects come from
// core/objective/text_likelihood.h.
#include "core/objective/text_likelihood.h"
#include "core/plugin/objective_plugin.h"

#include <QObject>

namespace {

class TextLikelihoodPlugin : public QObject, public dpg::plugin::ObjectivePlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin)

 public:
  std::string id() const override { return "text_likelihood"; }
  nlohmann::json parameters() const override {
    return dpg::objective::describe(dpg::objective::TextLikelihoodObjective::parameters());
  }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json& params) const override {
    return dpg::objective::TextLikelihoodObjective::create(params);
  }
};

}  // namespace

#include "text_likelihood_plugin.moc"
