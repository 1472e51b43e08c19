// SPDX-License-Identifier: MIT
#pragma once
/// @file RevalidateDialog: re-validates a stored generator checkpoint (History → "Re-validate…"),
/// the GUI face of `dpg eval`. The work runs in its own thread (session::evaluate_checkpoint,
/// read-only); the dialog shows the metric per repeat, its mean ± sd, the run's own validation of
/// that step, and for bitmap objectives how often each pixel came out right. The step list offers
/// the steps that have a checkpoint (read from the store in a second short-lived thread). Closing
/// the dialog cancels a validation in flight.
#include "core/store/run_store.h"

#include <QDialog>
#include <QList>

#include <atomic>
#include <memory>

class QComboBox;
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
  /// The steps the step list offers: the run's default step until the checkpoint list has loaded
  /// (in its own thread), then every step with a stored checkpoint.
  QList<qint64> checkpointSteps() const;
  bool isLoadingCheckpoints() const { return loader_ != nullptr; }

 public Q_SLOTS:
  void start();

 private:
  struct Outcome;
  struct Listing;
  void loadCheckpoints();
  void showCheckpoints();
  void finish();
  void showOutcome(const Outcome& o);

  QString db_path_;
  store::RunInfo run_;
  QComboBox* step_ = nullptr;  ///< item data: the step
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
  QThread* loader_ = nullptr;  ///< lists the checkpoints once, off the GUI thread
  std::shared_ptr<Listing> listing_;
  std::shared_ptr<Outcome> outcome_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  double mean_metric_;
};

}  // namespace dpg::ui
