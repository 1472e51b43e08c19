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
#include <utility>

namespace dpg::ui {

StoreWorker::~StoreWorker() = default;

store::RunStore* StoreWorker::store() {
  if (!store_) {
    if (!QFileInfo::exists(QString::fromStdString(path_)))
      return nullptr;  // no run yet: try on the next poll
    store_ = std::make_unique<store::RunStore>(store::RunStore::open(path_, true));
  }
  return store_.get();
}

RunList StoreWorker::runs() {
  auto* s = store();
  if (!s) return {};
  auto runs = s->list_runs();
  session::mark_interrupted(path_, runs);
  return runs;
}

ThumbnailList StoreWorker::thumbnails(const RunList& runs) {
  ThumbnailList out;
  auto* s = store();
  if (!s) return out;
  for (const auto& r : runs) {
    const int64_t last = r.last_step.value_or(0);
    const auto seen = thumbnail_steps_.find(r.id);
    if (seen != thumbnail_steps_.end() && seen->second == last) continue;
    thumbnail_steps_[r.id] = last;
    RunThumbnail t;
    t.run_id = r.id;
    if (auto newest = s->newest_sign(r.id)) {
      t.step = newest->first;
      t.validation = newest->second.kind == "val_sign";
      t.sign = std::move(newest->second.image);
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<MetricsList> StoreWorker::steps(qint64 runId, qint64 sinceStep) {
  auto* s = store();
  if (!s) return std::nullopt;
  std::optional<int64_t> since;
  if (sinceStep >= 0) since = sinceStep;
  return s->steps(runId, since);
}

std::optional<SnapshotList> StoreWorker::snapshots(qint64 runId, qint64 sinceStep) {
  auto* s = store();
  if (!s) return std::nullopt;
  SnapshotList out;
  for (int64_t step : s->snapshot_steps(runId))
    if (step > sinceStep) out.push_back(snapshot_set(step, s->snapshots(runId, step)));
  return out;
}

std::optional<SampleList> StoreWorker::samples(qint64 runId, qint64 step) {
  auto* s = store();
  if (!s) return std::nullopt;
  return s->samples(runId, step);
}

std::optional<CompareList> StoreWorker::compare(const QList<qint64>& runIds, qint64 step,
                                                ImageSource source) {
  auto* s = store();
  if (!s) return std::nullopt;
  CompareList out;
  for (qint64 id : runIds)
    if (auto info = s->run(id)) out.push_back(compareRun(*s, *info, step, source));
  return out;
}

CompareRun StoreWorker::compareRun(store::RunStore& s, const store::RunInfo& info, qint64 step,
                                   ImageSource source) {
  CompareRun c;
  c.info = info;
  c.steps = s.steps(info.id);
  c.schedule = config::schedule_events_of(info.config_json);
  const auto snapshotSteps = s.snapshot_steps(info.id);
  // The newest snapshot step at or before the chosen one that has an image of the chosen kind.
  for (auto it = snapshotSteps.rbegin(); it != snapshotSteps.rend(); ++it) {
    if (step >= 0 && *it > step) continue;
    auto set = snapshot_set(*it, s.snapshots(info.id, *it));
    if (!shows(set, source)) continue;
    c.image_step = *it;
    c.sign = *source_images(set, source, &c.validation).first;
    break;
  }
  // Y is stored at step 1 and where a stage begins; the image is compared with the Y in force at
  // its step.
  const auto targetSteps = s.snapshot_steps(info.id, "target");
  const int64_t at = c.image_step >= 0 ? c.image_step
                     : step >= 0       ? step
                                       : std::numeric_limits<int64_t>::max();
  const auto y = std::upper_bound(targetSteps.begin(), targetSteps.end(), at);
  if (y != targetSteps.begin())
    c.target = s.snapshot(info.id, *std::prev(y), "target").value_or(engine::Image{});
  return c;
}

void StoreWorker::rename(qint64 runId, const std::string& name) {
  store::RunStore::open(path_).rename(runId, name);
}

void StoreWorker::setTags(qint64 runId, const std::vector<std::string>& tags) {
  store::RunStore::open(path_).set_tags(runId, tags);
}

void StoreWorker::setPinned(qint64 runId, bool pinned) {
  store::RunStore::open(path_).set_pinned(runId, pinned);
}

void StoreWorker::setNotes(qint64 runId, const std::string& notes) {
  store::RunStore::open(path_).set_notes(runId, notes);
}

void StoreWorker::deleteRun(qint64 runId) {
  session::delete_run(path_, runId);  // refuses a run live in another process
}

qint64 StoreWorker::exportSamples(qint64 runId, const std::string& path) {
  auto* s = store();
  if (!s) throw std::runtime_error("the run store " + path_ + " does not exist yet");
  if (!s->run(runId))
    throw std::invalid_argument("no run " + std::to_string(runId) + " in the store");
  return qint64(store::write_samples_jsonl(*s, runId, path));
}

StoreReader::StoreReader(const QString& dbPath, QObject* parent)
    : QObject(parent), path_(dbPath), worker_(std::make_unique<StoreWorker>(dbPath.toStdString())) {
  register_metatypes();
  context_ = new QObject;
  context_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, context_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("dpg-store-reader"));
  thread_.start();
}

StoreReader::~StoreReader() {
  thread_.quit();
  thread_.wait();  // the worker is used in that thread only, and is destroyed after it
}

template <class Work, class Answer, class Failed>
void StoreReader::post(Work work, Answer answer, Failed failed) {
  QMetaObject::invokeMethod(
      context_,
      [this, work, answer, failed] {
        try {
          if (auto value = work(*worker_))
            QMetaObject::invokeMethod(
                this, [answer, v = std::move(*value)] { answer(v); }, Qt::QueuedConnection);
        } catch (const std::exception& e) {
          worker_->reset();  // a failed read reopens the store next time
          QMetaObject::invokeMethod(
              this, [failed, m = qs(e.what())] { failed(m); }, Qt::QueuedConnection);
        }
      },
      Qt::QueuedConnection);
}

template <class Work, class Answer>
void StoreReader::read(Work work, Answer answer) {
  post(work, answer, [this](const QString& m) { Q_EMIT error(m); });
}

void StoreReader::requestRuns() {
  read(
      [](StoreWorker& w) {
        auto runs = w.runs();
        auto thumbnails = w.thumbnails(runs);
        return std::optional(std::pair(std::move(runs), std::move(thumbnails)));
      },
      [this](const std::pair<RunList, ThumbnailList>& answer) {
        Q_EMIT runsListed(answer.first);
        if (!answer.second.empty()) Q_EMIT thumbnailsLoaded(answer.second);
      });
}

void StoreReader::requestSteps(qint64 id, qint64 since) {
  read([=](StoreWorker& w) { return w.steps(id, since); },
       [=, this](const MetricsList& steps) { Q_EMIT stepsLoaded(id, steps); });
}

void StoreReader::requestSnapshots(qint64 id, qint64 since) {
  read([=](StoreWorker& w) { return w.snapshots(id, since); },
       [=, this](const SnapshotList& sets) { Q_EMIT snapshotsLoaded(id, sets); });
}

void StoreReader::requestSamples(qint64 id, qint64 step) {
  read([=](StoreWorker& w) { return w.samples(id, step); },
       [=, this](const SampleList& samples) { Q_EMIT samplesLoaded(id, step, samples); });
}

void StoreReader::requestCompare(const QList<qint64>& ids, qint64 step, ImageSource source) {
  read([=](StoreWorker& w) { return w.compare(ids, step, source); },
       [this](const CompareList& runs) { Q_EMIT compareLoaded(runs); });
}

void StoreReader::requestRename(qint64 id, const QString& name) {
  read(
      [=](StoreWorker& w) {
        w.rename(id, name.toStdString());
        return std::optional<bool>();
      },
      [](bool) {});
  requestRuns();
}

void StoreReader::requestTags(qint64 id, const QString& tags) {
  read(
      [=](StoreWorker& w) {
        w.setTags(id, store::split_tags(tags.toStdString()));
        return std::optional<bool>();
      },
      [](bool) {});
  requestRuns();
}

void StoreReader::requestPinned(qint64 id, bool pinned) {
  read(
      [=](StoreWorker& w) {
        w.setPinned(id, pinned);
        return std::optional<bool>();
      },
      [](bool) {});
  requestRuns();
}

void StoreReader::requestNotes(qint64 id, const QString& notes) {
  read(
      [=](StoreWorker& w) {
        w.setNotes(id, notes.toStdString());
        return std::optional<bool>();
      },
      [](bool) {});
  requestRuns();
}

void StoreReader::requestDelete(qint64 id) {
  post(
      [=](StoreWorker& w) {
        w.deleteRun(id);
        return std::optional<bool>();
      },
      [](bool) {},
      [=, this](const QString& m) {
        Q_EMIT actionFailed(tr("Could not delete run #%1: %2").arg(id).arg(m));
      });
  requestRuns();
}

void StoreReader::requestExportSamples(qint64 id, const QString& path) {
  post([=](StoreWorker& w) { return std::optional(w.exportSamples(id, path.toStdString())); },
       [=, this](qint64 lines) { Q_EMIT samplesExported(id, path, lines); },
       [this](const QString& m) {
         Q_EMIT actionFailed(tr("Could not export the samples: %1").arg(m));
       });
}

}  // namespace dpg::ui
