// SPDX-License-Identifier: MIT
// The text_likelihood objective plugin over text_likelihood.h. It is target-aware: the reference
// texts are tokenised with the target's tokenizer when the objective is created.
#include "core/plugin/objective_plugin.h"
#include "plugins/objectives/text_likelihood/text_likelihood.h"

#include <QObject>

namespace {

using dpg::objective::TextLikelihoodObjective;

class TextLikelihoodPlugin : public QObject,
                             public dpg::plugin::ObjectivePlugin,
                             public dpg::plugin::TargetAwarePlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin dpg::plugin::TargetAwarePlugin)

 public:
  std::string id() const override { return "text_likelihood"; }
  nlohmann::json parameters() const override {
    return dpg::objective::describe(TextLikelihoodObjective::parameters());
  }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json& params) const override {
    return TextLikelihoodObjective::create(params);
  }
  std::unique_ptr<dpg::engine::Objective> create(
      const nlohmann::json& params, const dpg::plugin::TargetContext& target) const override {
    if (!target.tokenizer) return create(params);
    return TextLikelihoodObjective::create(
        dpg::objective::prepare_text_likelihood_params(params, *target.tokenizer, target.seq_len));
  }
};

}  // namespace

#include "text_likelihood_plugin.moc"
