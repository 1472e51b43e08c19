// SPDX-License-Identifier: MIT
#pragma once
/// @file EngineController: runs a RunSession in a worker thread and reports by queued signals.
///
/// Threading contract:
///   - The controller lives in the GUI thread and owns a QThread; an EngineWorker lives in it.
///   - Work goes in by queued signals connected to the worker's slots, carrying values: a new run's
///     RunConfig (a registered metatype, ui/types.h), validated once by the run setup before it is
///     sent; a stored run's id and changes. Results come out as queued signals carrying values
///     (StepRecord, the schedule marks, strings). The GUI never touches tensors or the writable
///     store.
///   - Stop sets a std::atomic<bool> that the engine polls between stages and inner steps, so a
///     stop takes effect within about a second. Pause is stop-then-resume from the checkpoint the
///     session writes when it stops.
///   - Destruction: set stop, quit the thread's loop, wait.
#include "core/config/run_config.h"
#include "ui/types.h"

#include <QObject>
#include <QStringList>
#include <QThread>

#include <atomic>

namespace dpg::ui {

/// Lives in the engine thread. Not used directly by views.
class EngineWorker : public QObject {
  Q_OBJECT
 public:
  EngineWorker(std::atomic<bool>* stop, std::atomic<bool>* pause, std::atomic<int>* threads)
      : stop_(stop), pause_(pause), threads_(threads) {}

 public Q_SLOTS:
  void startNew(const dpg::config::RunConfig& config, const QString& preset, const QString& dbPath);
  void resumeRun(qint64 runId, const QString& dbPath, const QStringList& changes);

 Q_SIGNALS:
  void started(qint64 runId, qint64 firstStep, qint64 totalSteps, const QString& metricName,
               const dpg::ui::ScheduleMarks& schedule);
  void stepDone(const dpg::engine::StepRecord& record);
  void finished(qint64 runId, const QString& status);
  void failed(qint64 runId, const QString& message);

 private:
  template <class MakeSession>
  void drive(MakeSession make);
  std::atomic<bool>* stop_;
  std::atomic<bool>* pause_;
  std::atomic<int>* threads_;
};

class EngineController : public QObject {
  Q_OBJECT
 public:
  explicit EngineController(QObject* parent = nullptr);
  ~EngineController() override;

  bool isRunning() const { return running_; }
  bool isPaused() const { return paused_.load(); }
  qint64 runId() const { return run_id_; }
  QString dbPath() const { return db_path_; }
  /// The intra-op threads the engine thread runs with, as that thread reads them back (0 before any
  /// run): the run config's `threads`, or all cores but one for the GUI when it names none.
  int engineThreads() const { return threads_.load(); }

 public Q_SLOTS:
  /// Starts a new run of @p config, which the caller has validated (RunSetup::validatedConfig); the
  /// session's own check reports anything else by errorOccurred.
  void start(const dpg::config::RunConfig& config, const QString& preset, const QString& dbPath);
  /// Requests a stop; runFinished follows within about a second.
  void stop();
  /// Stops and remembers the run so resume() continues it.
  void pause();
  /// Continues the paused (or any stopped) run.
  void resume();
  /// Continues stored run @p runId of @p dbPath (stopped, paused or failed, e.g. from History) from
  /// its newest checkpoint; runStarted reports its first re-run step. Ignored while a run is in
  /// progress.
  /// @p changes (`key=value`) continue it with changed settings, a finished run too
  /// (RunSession::resume).
  void resumeStored(qint64 runId, const QString& dbPath, const QStringList& changes = {});

 Q_SIGNALS:
  /// @p metricName: the objective's readable metric, e.g. "pixel accuracy"; @p schedule: the marks
  /// of the config the engine runs (a continued run's include its changes).
  void runStarted(qint64 runId, qint64 firstStep, qint64 totalSteps, const QString& metricName,
                  const dpg::ui::ScheduleMarks& schedule);
  void stepCompleted(const dpg::engine::StepRecord& record);
  void runFinished(qint64 runId, const QString& status);
  void errorOccurred(const QString& message);
  void runningChanged(bool running);
  /// To the worker (queued): start a new run, or continue a stored one.
  void startRequested(const dpg::config::RunConfig& config, const QString& preset,
                      const QString& dbPath, QPrivateSignal);
  void resumeRequested(qint64 runId, const QString& dbPath, const QStringList& changes,
                       QPrivateSignal);

 private:
  void launchResume(const QStringList& changes);
  void setRunning(bool running);
  QThread thread_;
  EngineWorker* worker_ = nullptr;
  std::atomic<bool> stop_{false};
  bool running_ = false;
  std::atomic<bool> paused_{false};
  std::atomic<int> threads_{0};
  qint64 run_id_ = -1;
  QString db_path_;
};

}  // namespace dpg::ui
