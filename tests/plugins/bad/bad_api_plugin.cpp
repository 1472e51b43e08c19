// SPDX-License-Identifier: MIT
// Test plugin: a valid interface but objective.json declares apiVersion 2. Constructing it sets
// DPG_TEST_BAD_PLUGIN_CONSTRUCTED, so the test can prove the registry never instantiated it.
#include "core/plugin/objective_plugin.h"

#include <QObject>

#include <stdexcept>

namespace {

class BadApiPlugin : public QObject, public dpg::plugin::ObjectivePlugin {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "bad_api.json")
  Q_INTERFACES(dpg::plugin::ObjectivePlugin)

 public:
  BadApiPlugin() { qputenv("DPG_TEST_BAD_PLUGIN_CONSTRUCTED", "bad_api"); }
  std::string id() const override { return "bad_api"; }
  nlohmann::json parameters() const override { return nlohmann::json::object(); }
  std::unique_ptr<dpg::engine::Objective> create(const nlohmann::json&) const override {
    throw std::logic_error("bad_api must never be instantiated");
  }
};

}  // namespace

#include "bad_api_plugin.moc"
