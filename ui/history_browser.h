// SPDX-License-Identifier: MIT
#pragma once
/// @file HistoryBrowser: every run in the store (pin, name, its newest sign image, objective,
/// preset, status, best metric, steps, tags, date), with filters by text, status, objective and
/// tag, and pin / tags / rename / notes / delete / open / compare. Polls the store every second
/// through the StoreReader, so a run started by `dpg run` in a terminal shows up, as running, by
/// itself.
#include "ui/types.h"

#include <QAbstractTableModel>
#include <QImage>
#include <QSortFilterProxyModel>
#include <QTimer>
#include <QWidget>

#include <map>

class QComboBox;
class QHBoxLayout;
class QLineEdit;
class QTableView;
class QPlainTextEdit;
class QPushButton;

namespace dpg::ui {

class StoreReader;

/// Whether History's Resume (and the toolbar's, for the shown run) continues @p run: stopped,
/// paused, failed, or interrupted (marked running while no process holds it).
bool resumable(const store::RunInfo& run);

class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  enum Column {
    Id,
    Pinned,
    Name,
    Image,
    Objective,
    Preset,
    Status,
    BestMetric,
    LastStep,
    Tags,
    Date,
    ColumnCount
  };
  void setRuns(const RunList& runs);
  /// Stores each run's newest sign image as its Image cell (shown scaled to the row).
  void setThumbnails(const ThumbnailList& thumbnails);
  /// The Image cell's picture of run @p id (null when the run has no sign image yet).
  QImage thumbnail(qint64 id) const;
  const RunList& runs() const { return runs_; }
  const store::RunInfo* runAt(int row) const;
  /// The listed run with @p id, or nullptr when the list does not hold it.
  const store::RunInfo* runById(qint64 id) const;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

  /// The thumbnail's height in pixels (History's rows are as high).
  static constexpr int kThumbnailSize = 40;

 private:
  QVariant imageData(const store::RunInfo& run, int role) const;
  RunList runs_;
  std::map<qint64, RunThumbnail> thumbnails_;
  std::map<qint64, QImage> pictures_;
};

/// History's sort and filters: pinned runs first in either order, then the column's order; rows
/// pass when they match the text filter (any column) and the chosen status, objective and tag.
class RunsFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  /// "" accepts any.
  void setStatus(const QString& status);
  void setObjective(const QString& objective);
  void setTag(const QString& tag);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;
  bool lessThan(const QModelIndex& a, const QModelIndex& b) const override;

 private:
  QString status_, objective_, tag_;
};

class HistoryBrowser : public QWidget {
  Q_OBJECT
 public:
  HistoryBrowser(StoreReader* reader, QWidget* parent = nullptr);
  RunsModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  /// Ids of the selected runs, in table order.
  QList<qint64> selectedRunIds() const;
  void selectRuns(const QList<qint64>& ids);
  void refresh();
  /// The filters' choices as offered (tests): "" is "any".
  RunsFilter* filter() const { return proxy_; }
  /// Rows shown after filtering.
  int shownRows() const;

 Q_SIGNALS:
  void openRequested(qint64 runId);
  void compareRequested(const QList<qint64>& runIds);
  void revalidateRequested(qint64 runId);
  /// Continue a stopped, paused or failed run from its newest checkpoint.
  void resumeRequested(qint64 runId);
  /// Run a stored run on with more steps or later changes (ContinueDialog).
  void continueRequested(qint64 runId);
  /// Load the run's config into the run setup, to start a new run from it.
  void configRequested(qint64 runId);

 private:
  void updateButtons();
  void showNotes();
  void buildFilters(QHBoxLayout* bar);
  void updateFilterChoices();
  void editTags();
  StoreReader* reader_;
  RunsModel* model_ = nullptr;
  RunsFilter* proxy_ = nullptr;
  QComboBox* status_box_ = nullptr;
  QComboBox* objective_box_ = nullptr;
  QComboBox* tag_box_ = nullptr;
  QPushButton* pin_ = nullptr;
  QPushButton* tags_ = nullptr;
  QTableView* table_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QPlainTextEdit* notes_ = nullptr;
  QPushButton* open_ = nullptr;
  QPushButton* compare_ = nullptr;
  QPushButton* rename_ = nullptr;
  QPushButton* revalidate_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* continue_ = nullptr;
  QPushButton* use_config_ = nullptr;
  QPushButton* delete_ = nullptr;
  QPushButton* save_notes_ = nullptr;
  QTimer poll_;
};

}  // namespace dpg::ui
