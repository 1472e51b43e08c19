// SPDX-License-Identifier: MIT
// The lmhead_bitmap objective plugin: parameters and objects come from the Core library,
// plugins/objectives/lmhead_bitmap/lmhead_bitmap.h.
#include "core/plugin/objective_plugin.h"
#include "plugins/objectives/lmhead_bitmap/lmhead_bitmap.h"
#include "plugins/objectives/lmhead_bitmap/qr_verdict.h"

#include <QObject>

namespace {

class LmHeadBitmapPlugin : public QObject,
                           public dpg::plugin::ObjectivePlugin,
                           public dpg::plugin::VerdictPlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin dpg::plugin::VerdictPlugin)

 public:
  std::string id() const override { return "lmhead_bitmap"; }
  nlohmann::json parameters() const override {
    return dpg::objective::describe(dpg::objective::LmHeadBitmapObjective::parameters());
  }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json& params) const override {
    return dpg::objective::LmHeadBitmapObjective::create(params);
  }
  std::unique_ptr<dpg::plugin::Judge> judge(const dpg::engine::Image& target) const override {
    return dpg::objective::qr_judge(target);
  }
};

}  // namespace

#include "lmhead_bitmap_plugin.moc"
