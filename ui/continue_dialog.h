// SPDX-License-Identifier: MIT
#pragma once
/// @file ContinueDialog: runs a stored run on with changes (History → "Continue…"), the GUI face of
/// `dpg resume ID --set key=value`: more steps (a finished run too), and optional changes such as a
/// later objective stage or generator lr drop. Every edit is checked at once with
/// config::continued_config (plain config arithmetic, no I/O) against the steps up to the newest
/// checkpoint, as the engine checks them (steps after it are re-run); OK is enabled only for a
/// continuation that leaves them as they were made, and the reason is shown otherwise. Should that
/// checkpoint file have been damaged since, the engine resumes earlier and checks again.
#include "core/config/run_config.h"
#include "core/store/run_store.h"

#include <QDialog>
#include <QStringList>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace dpg::ui {

class ContinueDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ContinueDialog(const store::RunInfo& run, QWidget* parent = nullptr);

  /// The `key=value` changes: grpo.steps first, then each non-empty line of the changes box.
  QStringList changes() const;
  /// Why the continuation is refused (empty when OK is enabled).
  QString message() const { return message_; }
  /// The line under the changes: where the continuation starts and ends, or why it is refused.
  QString statusText() const;

  QSpinBox* stepsBox() const { return steps_; }
  QPlainTextEdit* changesBox() const { return edits_; }
  QPushButton* okButton() const { return ok_; }

 private:
  void revalidate();

  std::optional<config::RunConfig>
      stored_;          ///< the run's stored config, parsed once (none if unreadable)
  QString unreadable_;  ///< why it could not be read
  int64_t made_ = 0;    ///< the run's highest stored step
  int64_t resume_ = 0;  ///< its newest checkpoint's step, where the engine resumes (re-running any
                        ///< steps after it)
  QSpinBox* steps_ = nullptr;
  QPlainTextEdit* edits_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* ok_ = nullptr;
  QString message_;
};

}  // namespace dpg::ui
