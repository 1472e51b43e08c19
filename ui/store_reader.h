// SPDX-License-Identifier: MIT
#pragma once
/// @file StoreReader: the GUI's own connection to the run store, in its own thread.
///
/// The GUI thread never does blocking I/O: views ask by queued invocations of the reader's slots
/// (request*()), and the answers come back as queued signals carrying values. Reads use a
/// read-only connection (WAL lets it read beside a writing `dpg run`); the rare edits (rename,
/// notes, delete) open a short-lived writable connection.
#include "ui/types.h"

#include <QObject>
#include <QThread>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace dpg::ui {

/// The reader thread's side: its read-only connection and the reads and edits, in plain C++. Every
/// call runs in the reader's thread and answers by value; a failed read throws. No signals: the
/// answers reach the GUI as StoreReader's signals, declared once, there.
class StoreWorker {
 public:
  explicit StoreWorker(std::string path) : path_(std::move(path)) {}
  ~StoreWorker();

  /// Every run, those whose process died marked interrupted (none before the store file exists).
  RunList runs();
  /// The newest sign image of each of @p runs whose last step changed since the previous call (a
  /// finished run is read once); empty when none changed.
  ThumbnailList thumbnails(const RunList& runs);
  /// The reads below answer nothing (nullopt) before the store file exists: the next poll asks
  /// again.
  std::optional<MetricsList> steps(qint64 runId, qint64 sinceStep);
  std::optional<SnapshotList> snapshots(qint64 runId, qint64 sinceStep);
  std::optional<SampleList> samples(qint64 runId, qint64 step);
  std::optional<CompareList> compare(const QList<qint64>& runIds, qint64 step, ImageSource source);
  /// Edits, each through a short-lived writable connection.
  void rename(qint64 runId, const std::string& name);
  void setNotes(qint64 runId, const std::string& notes);
  void setTags(qint64 runId, const std::vector<std::string>& tags);
  void setPinned(qint64 runId, bool pinned);
  void deleteRun(qint64 runId);
  /// The number of samples written.
  qint64 exportSamples(qint64 runId, const std::string& path);
  /// Drops the connection after a failure; the next call reopens it.
  void reset() {
    store_.reset();
    thumbnail_steps_.clear();
  }

 private:
  store::RunStore* store();
  CompareRun compareRun(store::RunStore& s, const store::RunInfo& info, qint64 step,
                        ImageSource source);
  std::string path_;
  std::unique_ptr<store::RunStore> store_;
  std::map<int64_t, int64_t> thumbnail_steps_;  ///< run id -> its last step when last read
};

/// GUI-thread facade of a StoreWorker. Every request returns at once; the answer is one of the
/// signals below, emitted in the GUI thread.
class StoreReader : public QObject {
  Q_OBJECT
 public:
  explicit StoreReader(const QString& dbPath, QObject* parent = nullptr);
  ~StoreReader() override;
  QString path() const { return path_; }

  void requestRuns();
  void requestSteps(qint64 runId, qint64 sinceStep = -1);
  void requestSnapshots(qint64 runId, qint64 sinceStep = -1);
  void requestSamples(qint64 runId, qint64 step);
  /// Each run's curves and its sign image of kind @p source at the newest snapshot step <= @p step
  /// (-1: the newest).
  void requestCompare(const QList<qint64>& runIds, qint64 step,
                      ImageSource source = ImageSource::PreferValidation);
  void requestRename(qint64 runId, const QString& name);
  void requestNotes(qint64 runId, const QString& notes);
  /// Replaces a run's tags with the comma-separated @p tags; then lists the runs again.
  void requestTags(qint64 runId, const QString& tags);
  void requestPinned(qint64 runId, bool pinned);
  void requestDelete(qint64 runId);
  /// Writes every stored sample of @p runId to @p path as JSON Lines (store::write_samples_jsonl),
  /// off the GUI thread; answers with samplesExported or actionFailed.
  void requestExportSamples(qint64 runId, const QString& path);

 Q_SIGNALS:
  void runsListed(const dpg::ui::RunList& runs);
  /// Newest sign images of runs whose steps changed (after their runsListed).
  void thumbnailsLoaded(const dpg::ui::ThumbnailList& thumbnails);
  void stepsLoaded(qint64 runId, const dpg::ui::MetricsList& steps);
  void snapshotsLoaded(qint64 runId, const dpg::ui::SnapshotList& snapshots);
  void samplesLoaded(qint64 runId, qint64 step, const dpg::ui::SampleList& samples);
  void compareLoaded(const dpg::ui::CompareList& runs);
  void samplesExported(qint64 runId, const QString& path, qint64 lines);
  /// A user-requested action (an export, a deletion) failed, with a whole sentence for a message
  /// box (poll errors only reach the status bar).
  void actionFailed(const QString& message);
  void error(const QString& message);

 private:
  /// Runs @p work (StoreWorker& -> std::optional<T>) in the reader's thread and hands a value it
  /// returns to
  /// @p answer in the GUI thread. A throw resets the connection and reaches the GUI as @p
  /// failed(its message).
  template <class Work, class Answer, class Failed>
  void post(Work work, Answer answer, Failed failed);
  /// post() for the reads: a failure is a status-bar error.
  template <class Work, class Answer>
  void read(Work work, Answer answer);
  QString path_;
  QThread thread_;
  QObject* context_ = nullptr;  ///< lives in thread_: the queued calls run there
  std::unique_ptr<StoreWorker> worker_;
};

}  // namespace dpg::ui
