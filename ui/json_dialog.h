// SPDX-License-Identifier: MIT
#pragma once
/// @file JsonDialog: edits one JSON-valued run setting (objective params, stages) in a multi-line
/// editor, pretty-printed, with a live check: the text must parse and the caller's check must pass
/// before OK is enabled.
#include <nlohmann/json.hpp>

#include <QDialog>
#include <QString>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace dpg::ui {

class JsonDialog : public QDialog {
  Q_OBJECT
 public:
  /// Returns "" when @p value is acceptable, else why not.
  using Check = std::function<QString(const nlohmann::json& value)>;
  JsonDialog(const QString& title, const QString& help, const nlohmann::json& value, Check check,
             QWidget* parent = nullptr);
  /// The edited value (valid only while isValid()).
  nlohmann::json value() const { return value_; }
  bool isValid() const { return message_.isEmpty(); }
  /// Why the text is not accepted ("" when it is).
  QString message() const { return message_; }
  QPlainTextEdit* editor() const { return edit_; }

 private:
  void recheck();
  Check check_;
  nlohmann::json value_;
  QString message_;
  QPlainTextEdit* edit_ = nullptr;
  QLabel* status_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace dpg::ui
