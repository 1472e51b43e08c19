// SPDX-License-Identifier: MIT
#pragma once
/// @file RunSetup: preset, model files and every hyperparameter of a RunConfig, as a form built
/// from config::run_config_fields(). Edits are applied with RunConfig::apply_override and
/// validated inline; the field a ConfigError names is highlighted.
#include "core/config/run_config.h"

#include <QString>
#include <QWidget>

#include <map>
#include <optional>

class QComboBox;
class QLabel;

namespace dpg::ui {

class RunSetup : public QWidget {
  Q_OBJECT
 public:
  explicit RunSetup(QWidget* parent = nullptr);

  /// The config the form describes (throws ConfigError on a bad field; not validated).
  config::RunConfig config() const;
  /// The config if it validates; else nullopt, with the error shown inline.
  std::optional<config::RunConfig> validatedConfig();
  void setConfig(const config::RunConfig& cfg);
  QString presetName() const { return preset_; }
  void loadPreset(const QString& name);
  void setObjectiveParams(const nlohmann::json& params);
  /// Empty when valid, else the ConfigError message.
  QString validationMessage() const { return message_; }

 Q_SIGNALS:
  void configChanged(const dpg::config::RunConfig& cfg);
  void targetModelChanged(const QString& model);

 private:
  void revalidate();
  std::map<std::string, QWidget*> editors_;
  std::map<std::string, std::string> types_;
  QComboBox* presets_ = nullptr;
  QLabel* status_ = nullptr;
  QString preset_;
  QString message_;
  QString last_target_;
  bool loading_ = false;
};

}  // namespace dpg::ui
