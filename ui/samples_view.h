// SPDX-License-Identifier: MIT
#pragma once
/// @file SamplesView: the rollouts of one step (prompt, response, τ, advantage) in a sortable,
/// searchable, copyable table, and the selected one in full below it, with token credit's per-byte
/// τ as the background of each character.
#include "ui/types.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;
class QLabel;
class QSpinBox;

namespace dpg::ui {

class SamplesModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  enum Column { Prompt, Response, Tau, Advantage, ColumnCount };
  void setSamples(const SampleList& samples);
  const SampleList& samples() const { return samples_; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  SampleList samples_;
};

class SamplesView : public QWidget {
  Q_OBJECT
 public:
  explicit SamplesView(QWidget* parent = nullptr);
  void setSamples(int64_t step, const SampleList& samples);
  void clear();
  int rowCount() const;
  /// The selected rows as tab-separated text (what Ctrl+C copies).
  QString selectionText() const;
  QTableView* table() const { return table_; }
  void setFilter(const QString& text);
  /// The detail pane's HTML for the selected sample (tests).
  QString detailHtml() const;

 Q_SIGNALS:
  /// The user asked for another step's samples (stored runs).
  void stepRequested(qint64 step);

 private:
  SamplesModel* model_ = nullptr;
  QSortFilterProxyModel* proxy_ = nullptr;
  QTableView* table_ = nullptr;
  QLineEdit* search_ = nullptr;
  QLabel* step_label_ = nullptr;
  QSpinBox* step_box_ = nullptr;
  QTextBrowser* detail_ = nullptr;
  void showDetail();
};

}  // namespace dpg::ui
