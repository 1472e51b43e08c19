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

#include <memory>
#include <optional>

namespace dpg::ui {

class StoreWorker : public QObject {
  Q_OBJECT
 public:
  explicit StoreWorker(QString path) : path_(std::move(path)) {}
  ~StoreWorker() override;

 public Q_SLOTS:
  void listRuns();
  void loadSteps(qint64 runId, qint64 sinceStep);
  void loadSnapshots(qint64 runId, qint64 sinceStep);
  void loadSamples(qint64 runId, qint64 step);
  void loadCompare(const QList<qint64>& runIds, qint64 step, dpg::ui::ImageSource source);
  void rename(qint64 runId, const QString& name);
  void setNotes(qint64 runId, const QString& notes);
  void deleteRun(qint64 runId);
  void exportSamples(qint64 runId, const QString& path);

 Q_SIGNALS:
  void runsListed(const dpg::ui::RunList& runs);
  void stepsLoaded(qint64 runId, const dpg::ui::MetricsList& steps);
  void snapshotsLoaded(qint64 runId, const dpg::ui::SnapshotList& snapshots);
  void samplesLoaded(qint64 runId, qint64 step, const dpg::ui::SampleList& samples);
  void compareLoaded(const dpg::ui::CompareList& runs);
  void samplesExported(qint64 runId, const QString& path, qint64 lines);
  /// A user-requested action (an export, a deletion) failed, with a whole sentence for a message box (poll
  /// errors only reach the status bar).
  void actionFailed(const QString& message);
  void error(const QString& message);

 private:
  store::RunStore* store();
  QString path_;
  std::unique_ptr<store::RunStore> store_;
};

/// GUI-thread facade of a StoreWorker. Every request returns at once.
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
  void requestDelete(qint64 runId);
  /// Writes every stored sample of @p runId to @p path as JSON Lines (store::write_samples_jsonl), off the
  /// GUI thread; answers with samplesExported or actionFailed.
  void requestExportSamples(qint64 runId, const QString& path);

 Q_SIGNALS:
  void runsListed(const dpg::ui::RunList& runs);
  void stepsLoaded(qint64 runId, const dpg::ui::MetricsList& steps);
  void snapshotsLoaded(qint64 runId, const dpg::ui::SnapshotList& snapshots);
  void samplesLoaded(qint64 runId, qint64 step, const dpg::ui::SampleList& samples);
  void compareLoaded(const dpg::ui::CompareList& runs);
  void samplesExported(qint64 runId, const QString& path, qint64 lines);
  /// A user-requested action (an export, a deletion) failed, with a whole sentence for a message box (poll
  /// errors only reach the status bar).
  void actionFailed(const QString& message);
  void error(const QString& message);

 private:
  template <class F>
  void post(F f);
  QString path_;
  QThread thread_;
  StoreWorker* worker_ = nullptr;
};

}  // namespace dpg::ui
