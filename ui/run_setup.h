// SPDX-License-Identifier: MIT
#pragma once
/// @file RunSetup: preset, model files and every hyperparameter of a RunConfig, as a form built
/// from config::run_config_fields(). Edits are applied with RunConfig::apply_override and
/// validated inline; the field a ConfigError names is highlighted.
#include "core/config/run_config.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;
class QVBoxLayout;

namespace dpg::ui {

class JsonDialog;

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
  /// The editor of field @p path (a QLabel summary for JSON-valued fields), or nullptr.
  QWidget* editor(const std::string& path) const {
    auto it = editors_.find(path);
    return it == editors_.end() ? nullptr : it->second;
  }
  /// The collapsible "Advanced" headers, in order (collapsed at first).
  const std::vector<QToolButton*>& advancedHeaders() const { return advanced_; }
  /// Opens the editor of a JSON-valued field (objective.params, objective.stages); OK stores the
  /// value. nullptr for other fields.
  JsonDialog* editJson(const std::string& path);
  /// A JSON value as the form shows it: "key = value, …", one stage a line, "(none)".
  static QString jsonSummary(const nlohmann::json& value);

 Q_SIGNALS:
  void configChanged(const dpg::config::RunConfig& cfg);
  void targetModelChanged(const QString& model);

 private:
  void revalidate();
  QWidget* makeEditor(const config::FieldInfo& f);
  void buildAdvanced(QVBoxLayout* form, const std::map<std::string, config::FieldInfo>& fields);
  QWidget* withButton(QWidget* editor, const QString& text, const QString& tip,
                      std::function<void()> onClick);
  void browseModel(QLineEdit* edit);
  void setJsonValue(const std::string& path, const nlohmann::json& value);
  std::map<std::string, QWidget*> editors_;
  std::map<std::string, nlohmann::json> json_values_;  ///< JSON-valued fields, by path
  std::vector<QToolButton*> advanced_;
  std::map<std::string, std::string> types_;
  QComboBox* presets_ = nullptr;
  QLabel* status_ = nullptr;
  QString preset_;
  QString message_;
  QString last_target_;
  bool loading_ = false;
};

}  // namespace dpg::ui
