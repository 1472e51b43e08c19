// SPDX-License-Identifier: MIT
#pragma once
/// @file RevalidateDialog: re-validates a stored generator checkpoint (History → "Re-validate…"), the GUI
/// face of `dpg eval`. The work runs in its own thread (session::evaluate_checkpoint, read-only); the dialog
/// shows the metric per repeat, its mean ± sd, the run's own validation of that step, and for bitmap
/// objectives how often each pixel came out right. Closing the dialog cancels a validation in flight.
#include "core/store/run_store.h"

#include <QDialog>
#include <QList>

#include <atomic>
#include <memory>

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QThread;

namespace dpg::ui {

class RevalidateDialog : public QDialog {
  Q_OBJECT
 public:
  RevalidateDialog(const QString& dbPath, const store::RunInfo& run, QWidget* parent = nullptr);
  ~RevalidateDialog() override;

  bool isBusy() const { return thread_ != nullptr; }
  /// The summary line of the last result (or the error), for tests and the clipboard.
  QString summary() const;
  /// Mean metric of the last result (NaN before one).
  double meanMetric() const { return mean_metric_; }

 public Q_SLOTS:
  void start();

 private:
  struct Outcome;
  void finish();
  void showOutcome(const Outcome& o);

  QString db_path_;
  store::RunInfo run_;
  QSpinBox* step_ = nullptr;
  QSpinBox* repeats_ = nullptr;
  QSpinBox* prompts_ = nullptr;
  QSpinBox* t_val_ = nullptr;
  QDoubleSpinBox* temperature_ = nullptr;
  QList<QWidget*> fields_;  ///< the settings, locked while a validation runs
  QPushButton* run_button_ = nullptr;
  QProgressBar* busy_ = nullptr;
  QLabel* summary_ = nullptr;
  QTableWidget* repeats_table_ = nullptr;
  QTableWidget* pixels_ = nullptr;
  QThread* thread_ = nullptr;
  std::shared_ptr<Outcome> outcome_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  double mean_metric_;
};

}  // namespace dpg::ui
