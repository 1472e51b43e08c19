// SPDX-License-Identifier: MIT
#include "ui/engine_controller.h"

#include "core/config/schedule.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/run_session.h"

#include <algorithm>
#include <exception>

namespace dpg::ui {

namespace {
plugin::PluginRegistry& registry() {
  // Created and used only in the engine thread (the registry is not thread-safe).
  static thread_local plugin::PluginRegistry plugins;
  return plugins;
}
}  // namespace

template <class MakeSession>
void EngineWorker::drive(MakeSession make) {
  qint64 run_id = -1;
  try {
    std::unique_ptr<session::RunSession> s = make();
    run_id = s->run_id();
    const auto& cfg = s->run().inputs().config;
    // The config's thread count where it names one; otherwise the engine leaves one core to the
    // GUI.
    threads_->store(
        session::use_run_threads(0, cfg.threads, std::max(1, QThread::idealThreadCount() - 1)));
    Q_EMIT started(run_id, s->run().next_step(), cfg.grpo.steps,
                   qs(s->run().inputs().objective->metric_name()), config::schedule_events(cfg));
    s->run_until(*stop_, [this](const engine::StepRecord& r) { Q_EMIT stepDone(r); });
    auto info = s->store().run(run_id);
    QString status = info ? qs(store::status_name(info->status)) : QStringLiteral("stopped");
    if (pause_->load() && info && info->status == store::RunStatus::Stopped) {
      s->store().set_status(run_id, store::RunStatus::Paused, "paused from the workbench");
      status = QStringLiteral("paused");
    }
    Q_EMIT finished(run_id, status);
  } catch (const std::exception& e) {
    Q_EMIT failed(run_id, qs(e.what()));
  } catch (...) {
    Q_EMIT failed(run_id, QStringLiteral("unknown engine error"));
  }
}

void EngineWorker::startNew(const config::RunConfig& config, const QString& preset,
                            const QString& dbPath) {
  drive([&] {
    return session::RunSession::create(config, preset.toStdString(), dbPath.toStdString(),
                                       registry());
  });
}

void EngineWorker::resumeRun(qint64 runId, const QString& dbPath, const QStringList& changes) {
  std::vector<std::string> sets;
  for (const auto& c : changes) sets.push_back(c.toStdString());
  drive([&] { return session::RunSession::resume(runId, dbPath.toStdString(), registry(), sets); });
}

EngineController::EngineController(QObject* parent) : QObject(parent) {
  register_metatypes();
  worker_ = new EngineWorker(&stop_, &paused_, &threads_);
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(this, &EngineController::startRequested, worker_, &EngineWorker::startNew);
  connect(this, &EngineController::resumeRequested, worker_, &EngineWorker::resumeRun);
  connect(worker_, &EngineWorker::started, this,
          [this](qint64 id, qint64 first, qint64 total, const QString& metricName,
                 const ScheduleMarks& schedule) {
            run_id_ = id;
            Q_EMIT runStarted(id, first, total, metricName, schedule);
          });
  connect(worker_, &EngineWorker::stepDone, this, &EngineController::stepCompleted);
  connect(worker_, &EngineWorker::finished, this, [this](qint64 id, const QString& status) {
    setRunning(false);
    Q_EMIT runFinished(id, status);
  });
  connect(worker_, &EngineWorker::failed, this, [this](qint64 id, const QString& message) {
    if (id >= 0) run_id_ = id;
    paused_ = false;
    setRunning(false);
    Q_EMIT errorOccurred(message);
    Q_EMIT runFinished(id, QStringLiteral("failed"));
  });
  thread_.setObjectName(QStringLiteral("dpg-engine"));
  thread_.start();
}

EngineController::~EngineController() {
  stop_ = true;
  thread_.requestInterruption();
  thread_.quit();
  thread_.wait();
}

void EngineController::setRunning(bool running) {
  if (running_ == running) return;
  running_ = running;
  Q_EMIT runningChanged(running);
}

void EngineController::start(const config::RunConfig& config, const QString& preset,
                             const QString& dbPath) {
  if (running_) {
    Q_EMIT errorOccurred(tr("A run is already in progress; stop it first."));
    return;
  }
  stop_ = false;
  paused_ = false;
  run_id_ = -1;
  db_path_ = dbPath;
  setRunning(true);
  Q_EMIT startRequested(config, preset, dbPath, QPrivateSignal());
}

void EngineController::stop() {
  paused_ = false;
  stop_ = true;
}

void EngineController::pause() {
  if (!running_) return;
  paused_ = true;
  stop_ = true;
}

void EngineController::resumeStored(qint64 runId, const QString& dbPath,
                                    const QStringList& changes) {
  if (running_) return;
  run_id_ = runId;
  db_path_ = dbPath;
  launchResume(changes);
}

void EngineController::resume() {
  // The store already holds any changes the run was continued with.
  if (!running_ && run_id_ >= 0) launchResume({});
}

void EngineController::launchResume(const QStringList& changes) {
  stop_ = false;
  paused_ = false;
  setRunning(true);
  Q_EMIT resumeRequested(run_id_, db_path_, changes, QPrivateSignal());
}

}  // namespace dpg::ui
