// SPDX-License-Identifier: MIT
#include "ui/store_reader.h"

#include "core/config/schedule.h"
#include "core/session/run_lease.h"
#include "core/session/run_session.h"
#include "core/store/export.h"

#include <QFileInfo>
#include <QMetaObject>

#include <algorithm>
#include <exception>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>

namespace dpg::ui {

StoreWorker::~StoreWorker() = default;

store::RunStore* StoreWorker::store() {
  if (!store_) {
    if (!QFileInfo::exists(path_)) return nullptr;  // no run yet: try again on the next poll
    store_ = std::make_unique<store::RunStore>(store::RunStore::open(path_.toStdString(), true));
  }
  return store_.get();
}

#define DPG_GUARD(body)                                   \
  try {                                                   \
    body                                                  \
  } catch (const std::exception& e) {                     \
    store_.reset();                                       \
    Q_EMIT error(qs(e.what()));                           \
  }

void StoreWorker::listRuns() {
  DPG_GUARD(if (auto* s = store()) {
    auto runs = s->list_runs();
    session::mark_interrupted(path_.toStdString(), runs);
    Q_EMIT runsListed(runs);
  } else Q_EMIT runsListed({});)
}

void StoreWorker::loadSteps(qint64 runId, qint64 sinceStep) {
  DPG_GUARD(if (auto* s = store()) {
    std::optional<int64_t> since;
    if (sinceStep >= 0) since = sinceStep;
    Q_EMIT stepsLoaded(runId, s->steps(runId, since));
  })
}

void StoreWorker::loadSnapshots(qint64 runId, qint64 sinceStep) {
  DPG_GUARD(if (auto* s = store()) {
    SnapshotList out;
    for (int64_t step : s->snapshot_steps(runId))
      if (step > sinceStep) out.push_back(snapshot_set(step, s->snapshots(runId, step)));
    Q_EMIT snapshotsLoaded(runId, out);
  })
}

void StoreWorker::loadSamples(qint64 runId, qint64 step) {
  DPG_GUARD(if (auto* s = store()) Q_EMIT samplesLoaded(runId, step, s->samples(runId, step));)
}

void StoreWorker::loadCompare(const QList<qint64>& runIds, qint64 step, ImageSource source) {
  DPG_GUARD(if (auto* s = store()) {
    CompareList out;
    for (qint64 id : runIds) {
      auto info = s->run(id);
      if (!info) continue;
      CompareRun c;
      c.info = *info;
      c.steps = s->steps(id);
      c.schedule = config::schedule_events_of(info->config_json);
      const auto snapshotSteps = s->snapshot_steps(id);
      // The newest snapshot step at or before the chosen one that has an image of the chosen kind.
      for (auto it = snapshotSteps.rbegin(); it != snapshotSteps.rend(); ++it) {
        if (step >= 0 && *it > step) continue;
        auto set = snapshot_set(*it, s->snapshots(id, *it));
        if (!shows(set, source)) continue;
        c.image_step = *it;
        c.sign = *source_images(set, source, &c.validation).first;
        break;
      }
      // Y is stored at step 1 and where a stage begins; the image is compared with the Y in force at its step.
      const auto targetSteps = s->snapshot_steps(id, "target");
      const int64_t at = c.image_step >= 0 ? c.image_step : step >= 0 ? step : std::numeric_limits<int64_t>::max();
      const auto y = std::upper_bound(targetSteps.begin(), targetSteps.end(), at);
      if (y != targetSteps.begin()) c.target = s->snapshot(id, *std::prev(y), "target").value_or(engine::Image{});
      out.push_back(std::move(c));
    }
    Q_EMIT compareLoaded(out);
  })
}

void StoreWorker::rename(qint64 runId, const QString& name) {
  DPG_GUARD(store::RunStore::open(path_.toStdString()).rename(runId, name.toStdString());)
  listRuns();
}

void StoreWorker::setNotes(qint64 runId, const QString& notes) {
  DPG_GUARD(store::RunStore::open(path_.toStdString()).set_notes(runId, notes.toStdString());)
  listRuns();
}

void StoreWorker::deleteRun(qint64 runId) {
  try {
    session::delete_run(path_.toStdString(), runId);  // refuses a run live in another process
  } catch (const std::exception& e) {
    store_.reset();
    Q_EMIT actionFailed(tr("Could not delete run #%1: %2").arg(runId).arg(qs(e.what())));
  }
  listRuns();
}

void StoreWorker::exportSamples(qint64 runId, const QString& path) {
  try {
    auto* s = store();
    if (!s) throw std::runtime_error("the run store " + path_.toStdString() + " does not exist yet");
    if (!s->run(runId)) throw std::invalid_argument("no run " + std::to_string(runId) + " in the store");
    const size_t lines = store::write_samples_jsonl(*s, runId, path.toStdString());
    Q_EMIT samplesExported(runId, path, qint64(lines));
  } catch (const std::exception& e) {
    store_.reset();  // as DPG_GUARD does: a failed read reopens the store next time
    Q_EMIT actionFailed(tr("Could not export the samples: %1").arg(qs(e.what())));
  }
}

#undef DPG_GUARD

StoreReader::StoreReader(const QString& dbPath, QObject* parent) : QObject(parent), path_(dbPath) {
  register_metatypes();
  worker_ = new StoreWorker(dbPath);
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &StoreWorker::runsListed, this, &StoreReader::runsListed);
  connect(worker_, &StoreWorker::stepsLoaded, this, &StoreReader::stepsLoaded);
  connect(worker_, &StoreWorker::snapshotsLoaded, this, &StoreReader::snapshotsLoaded);
  connect(worker_, &StoreWorker::samplesLoaded, this, &StoreReader::samplesLoaded);
  connect(worker_, &StoreWorker::compareLoaded, this, &StoreReader::compareLoaded);
  connect(worker_, &StoreWorker::samplesExported, this, &StoreReader::samplesExported);
  connect(worker_, &StoreWorker::actionFailed, this, &StoreReader::actionFailed);
  connect(worker_, &StoreWorker::error, this, &StoreReader::error);
  thread_.setObjectName(QStringLiteral("dpg-store-reader"));
  thread_.start();
}

StoreReader::~StoreReader() {
  thread_.quit();
  thread_.wait();
}

template <class F>
void StoreReader::post(F f) {
  QMetaObject::invokeMethod(worker_, [w = worker_, f] { f(w); }, Qt::QueuedConnection);
}

void StoreReader::requestRuns() { post([](StoreWorker* w) { w->listRuns(); }); }
void StoreReader::requestSteps(qint64 id, qint64 since) {
  post([=](StoreWorker* w) { w->loadSteps(id, since); });
}
void StoreReader::requestSnapshots(qint64 id, qint64 since) {
  post([=](StoreWorker* w) { w->loadSnapshots(id, since); });
}
void StoreReader::requestSamples(qint64 id, qint64 step) {
  post([=](StoreWorker* w) { w->loadSamples(id, step); });
}
void StoreReader::requestCompare(const QList<qint64>& ids, qint64 step, ImageSource source) {
  post([=](StoreWorker* w) { w->loadCompare(ids, step, source); });
}
void StoreReader::requestRename(qint64 id, const QString& name) {
  post([=](StoreWorker* w) { w->rename(id, name); });
}
void StoreReader::requestNotes(qint64 id, const QString& notes) {
  post([=](StoreWorker* w) { w->setNotes(id, notes); });
}
void StoreReader::requestDelete(qint64 id) { post([=](StoreWorker* w) { w->deleteRun(id); }); }
void StoreReader::requestExportSamples(qint64 id, const QString& path) {
  post([=](StoreWorker* w) { w->exportSamples(id, path); });
}

}  // namespace dpg::ui
