// SPDX-License-Identifier: MIT
#include "ui/history_browser.h"

#include "ui/store_reader.h"

#include "core/session/run_lease.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <set>

namespace dpg::ui {

void RunsModel::setRuns(const RunList& runs) {
  // Same ids in the same order: update in place so the selection survives the 1 s poll.
  bool same = runs.size() == runs_.size();
  for (size_t i = 0; same && i < runs.size(); ++i) same = runs[i].id == runs_[i].id;
  if (same) {
    runs_ = runs;
    if (!runs_.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    return;
  }
  beginResetModel();
  runs_ = runs;
  endResetModel();
}

const store::RunInfo* RunsModel::runAt(int row) const {
  return row >= 0 && row < int(runs_.size()) ? &runs_[size_t(row)] : nullptr;
}

const store::RunInfo* RunsModel::runById(qint64 id) const {
  for (const auto& r : runs_)
    if (r.id == id) return &r;
  return nullptr;
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(runs_.size());
}
int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  const auto* r = runAt(index.row());
  if (!r) return {};
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Id:
        return qlonglong(r->id);
      case Name:
        return qs(r->name);
      case Preset:
        return qs(r->preset);
      case Status:
        return qs(session::status_label(*r));
      case BestMetric:
        if (!std::isfinite(r->best_metric) || !r->best_step)
          return role == Qt::EditRole ? QVariant(-1e300) : QVariant();
        return role == Qt::EditRole
                   ? QVariant(r->best_metric)
                   : QVariant(tr("%1 @ %2").arg(r->best_metric, 0, 'f', 3).arg(*r->best_step));
      case LastStep:
        return r->last_step ? QVariant(qlonglong(*r->last_step)) : QVariant();
      case Date: {
        auto dt = QDateTime::fromString(qs(r->created_at), Qt::ISODate);
        return dt.isValid() ? dt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                            : qs(r->created_at);
      }
    }
  }
  if (role == Qt::ToolTipRole && index.column() == BestMetric && r->best_step) {
    // The objective's own metric when the store has it (schema 3), so "0.931" says what it
    // measures.
    return tr("Best validation %1: %2 at step %3")
        .arg(metric_noun(r->metric_name))
        .arg(r->best_metric, 0, 'f', 4)
        .arg(*r->best_step);
  }
  if (role == Qt::ToolTipRole && index.column() == LastStep && r->last_step) {
    // How far the run got and where a Resume or Continue… would start from.
    const qint64 total = planned_steps(*r);
    QString tip = total > 0 ? tr("%1 of %2 steps made").arg(*r->last_step).arg(total)
                            : tr("%1 steps made").arg(*r->last_step);
    tip +=
        r->last_checkpoint
            ? tr("; newest checkpoint at step %1, where a resume starts").arg(*r->last_checkpoint)
            : tr("; no checkpoint yet, so a resume starts from step 1");
    return tip;
  }
  if (role == Qt::ToolTipRole && index.column() == Status &&
      r->status == store::RunStatus::Running) {
    return r->interrupted ? tr("Marked running, but no process holds it: it was killed or crashed. "
                               "Resume continues it "
                               "from its newest checkpoint; every step committed before stays.")
                          : tr("Being run now, here or by another process (e.g. dpg run).");
  }
  if (role == Qt::ToolTipRole) {
    QString tip = qs(r->notes);
    if (!r->status_message.empty())
      tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) + qs(r->status_message);
    return tip.isEmpty() ? QVariant() : QVariant(tip);
  }
  if (role == Qt::ForegroundRole && index.column() == Status) {
    switch (r->status) {
      case store::RunStatus::Running:
        return r->interrupted ? QColor(160, 90, 0) : QColor(0, 120, 0);
      case store::RunStatus::Failed:
        return QColor(180, 0, 0);
      case store::RunStatus::Done:
        return QColor(30, 60, 160);
      default:
        return {};
    }
  }
  return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || o != Qt::Horizontal) return {};
  switch (section) {
    case Id:
      return tr("#");
    case Name:
      return tr("Name");
    case Preset:
      return tr("Preset");
    case Status:
      return tr("Status");
    case BestMetric:
      return tr("Best metric");
    case LastStep:
      return tr("Steps");
    case Date:
      return tr("Created");
  }
  return {};
}

HistoryBrowser::HistoryBrowser(StoreReader* reader, QWidget* parent)
    : QWidget(parent), reader_(reader) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  filter_ = new QLineEdit(this);
  filter_->setPlaceholderText(tr("Filter runs (regular expression over every column)…"));
  filter_->setClearButtonEnabled(true);
  bar->addWidget(filter_, 1);
  open_ = new QPushButton(tr("Open"), this);
  compare_ = new QPushButton(tr("Compare"), this);
  rename_ = new QPushButton(tr("Rename…"), this);
  revalidate_ = new QPushButton(tr("Re-validate…"), this);
  revalidate_->setToolTip(
      tr("Validate a stored checkpoint of the run again, with more repeats or other settings "
         "(read-only)"));
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setToolTip(
      tr("Continue a stopped, paused or failed run from its newest checkpoint, with its own "
         "config and random state (as dpg resume)"));
  continue_ = new QPushButton(tr("Continue…"), this);
  continue_->setToolTip(tr(
      "Run a stored run on, a finished one too: more steps, or changes that begin later (an "
      "objective stage, a learning-rate drop), keeping every step it made (as dpg resume --set)"));
  use_config_ = new QPushButton(tr("Use Config"), this);
  use_config_->setToolTip(
      tr("Load the run's config into the run setup and the designer, to start a new run from "
         "it with changes"));
  delete_ = new QPushButton(tr("Delete…"), this);
  open_->setToolTip(tr("Show the run's curves, images and samples (live while it runs)"));
  compare_->setToolTip(tr("Select 2 to 4 runs to overlay their curves and diff their configs"));
  for (auto* b : {open_, compare_, resume_, continue_, use_config_, revalidate_, rename_, delete_})
    bar->addWidget(b);
  top->addLayout(bar);

  auto* split = new QSplitter(Qt::Vertical, this);
  model_ = new RunsModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setSortRole(Qt::EditRole);
  table_ = new QTableView(split);
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(RunsModel::Id, Qt::DescendingOrder);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(RunsModel::Name, QHeaderView::Stretch);
  table_->setColumnWidth(RunsModel::Id, 50);
  table_->setColumnWidth(RunsModel::Preset, 110);
  table_->setColumnWidth(RunsModel::BestMetric, 120);
  table_->setColumnWidth(RunsModel::Date, 140);
  auto* notesBox = new QWidget(split);
  auto* nl = new QVBoxLayout(notesBox);
  nl->setContentsMargins(0, 0, 0, 0);
  auto* nh = new QHBoxLayout;
  nh->addWidget(new QLabel(tr("Notes of the selected run:"), notesBox));
  nh->addStretch();
  save_notes_ = new QPushButton(tr("Save notes"), notesBox);
  nh->addWidget(save_notes_);
  nl->addLayout(nh);
  notes_ = new QPlainTextEdit(notesBox);
  notes_->setPlaceholderText(tr("Free text kept with the run"));
  nl->addWidget(notes_);
  split->addWidget(table_);
  split->addWidget(notesBox);
  split->setStretchFactor(0, 4);
  split->setStretchFactor(1, 1);
  top->addWidget(split, 1);

  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& t) {
    proxy_->setFilterRegularExpression(
        QRegularExpression(t, QRegularExpression::CaseInsensitiveOption));
  });
  connect(reader_, &StoreReader::runsListed, this, [this](const RunList& runs) {
    const auto sel = selectedRunIds();
    model_->setRuns(runs);
    if (selectedRunIds() != sel) selectRuns(sel);
    updateButtons();
  });
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    updateButtons();
    showNotes();
  });
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
    if (auto* r = model_->runAt(proxy_->mapToSource(idx).row())) Q_EMIT openRequested(r->id);
  });
  connect(open_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (!ids.isEmpty()) Q_EMIT openRequested(ids.front());
  });
  connect(compare_, &QPushButton::clicked, this,
          [this] { Q_EMIT compareRequested(selectedRunIds()); });
  connect(revalidate_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) Q_EMIT revalidateRequested(ids.front());
  });
  connect(resume_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) Q_EMIT resumeRequested(ids.front());
  });
  connect(continue_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) Q_EMIT continueRequested(ids.front());
  });
  connect(use_config_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) Q_EMIT configRequested(ids.front());
  });
  connect(rename_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() != 1) return;
    const auto* run = model_->runById(ids.front());
    const QString old = run ? qs(run->name) : QString();
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Rename run"), tr("New name:"), QLineEdit::Normal, old, &ok);
    if (ok && !name.trimmed().isEmpty()) reader_->requestRename(ids.front(), name.trimmed());
  });
  connect(delete_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.isEmpty()) return;
    QMessageBox box(QMessageBox::Warning, tr("Delete runs"),
                    tr("Delete %n run(s) with their steps, samples, snapshots and checkpoints? "
                       "This cannot be undone.",
                       nullptr, int(ids.size())),
                    QMessageBox::Cancel, this);
    auto* del = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != del) return;
    for (qint64 id : ids) reader_->requestDelete(id);
  });
  connect(save_notes_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) reader_->requestNotes(ids.front(), notes_->toPlainText());
  });

  poll_.setInterval(1000);
  connect(&poll_, &QTimer::timeout, this, &HistoryBrowser::refresh);
  poll_.start();
  refresh();
  updateButtons();
}

void HistoryBrowser::refresh() {
  reader_->requestRuns();
}

QList<qint64> HistoryBrowser::selectedRunIds() const {
  QList<qint64> ids;
  for (const auto& idx : table_->selectionModel()->selectedRows())
    if (auto* r = model_->runAt(proxy_->mapToSource(idx).row())) ids << r->id;
  return ids;
}

void HistoryBrowser::selectRuns(const QList<qint64>& ids) {
  QSignalBlocker b(table_->selectionModel());
  table_->clearSelection();
  for (int row = 0; row < model_->rowCount(); ++row)
    if (ids.contains(model_->runAt(row)->id)) {
      const QModelIndex idx = proxy_->mapFromSource(model_->index(row, 0));
      table_->selectionModel()->select(idx,
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
  updateButtons();
}

bool resumable(const store::RunInfo& run) {
  // A "running" run is live here or in another process unless nobody holds its lease
  // (interrupted); a done one has nothing left to resume.
  return run.status == store::RunStatus::Stopped || run.status == store::RunStatus::Paused ||
         run.status == store::RunStatus::Failed || run.interrupted;
}

void HistoryBrowser::updateButtons() {
  const int n = int(selectedRunIds().size());
  open_->setEnabled(n >= 1);
  rename_->setEnabled(n == 1);
  revalidate_->setEnabled(n == 1);
  use_config_->setEnabled(n == 1);
  // A "running" run is live here or in another process unless nobody holds its lease (interrupted);
  // a done one has nothing left to resume.
  const auto* run = n == 1 ? model_->runById(selectedRunIds().front()) : nullptr;
  const bool live = run && session::is_live(*run);
  resume_->setEnabled(run && resumable(*run));
  continue_->setEnabled(run && !live && run->last_step.value_or(0) > 0);
  const auto ids = selectedRunIds();
  delete_->setEnabled(n >= 1 && std::none_of(ids.begin(), ids.end(), [this](qint64 id) {
                        const auto* r = model_->runById(id);
                        return r && session::is_live(*r);
                      }));
  compare_->setEnabled(n >= 2 && n <= 4);
  save_notes_->setEnabled(n == 1);
}

void HistoryBrowser::showNotes() {
  auto ids = selectedRunIds();
  notes_->clear();
  if (ids.size() != 1) return;
  if (const auto* run = model_->runById(ids.front())) notes_->setPlainText(qs(run->notes));
}

}  // namespace dpg::ui
