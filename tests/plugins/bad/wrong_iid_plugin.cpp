// SPDX-License-Identifier: MIT
// Test plugin: built for a future objective interface ("…/2.0"). Constructing it sets
// DPG_TEST_BAD_PLUGIN_CONSTRUCTED, so the test can prove the registry never instantiated it.
#include <QObject>
#include <QtPlugin>

namespace {

class WrongIidPlugin : public QObject {
  Q_OBJECT
  Q_PLUGIN_METADATA(IID "org.dpgworkbench.ObjectivePlugin/2.0" FILE "wrong_iid.json")

 public:
  WrongIidPlugin() { qputenv("DPG_TEST_BAD_PLUGIN_CONSTRUCTED", "wrong_iid"); }
};

}  // namespace

#include "wrong_iid_plugin.moc"
