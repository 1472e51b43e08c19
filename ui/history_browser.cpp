// SPDX-License-Identifier: MIT
#include "ui/history_browser.h"

#include "ui/image_util.h"
#include "ui/run_summary.h"
#include "ui/store_reader.h"

#include "core/session/run_lease.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPixmap>
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

void RunsModel::setThumbnails(const ThumbnailList& thumbnails) {
  for (const auto& t : thumbnails) {
    thumbnails_[t.run_id] = t;
    QImage picture;
    if (!t.sign.empty()) {
      // Whole cells, nearest neighbour, as large as the row allows.
      const int cells = int(std::max(t.sign.rows, t.sign.cols));
      picture = sign_image(t.sign, std::max(1, kThumbnailSize / cells));
      if (picture.height() > kThumbnailSize || picture.width() > kThumbnailSize)
        picture = picture.scaled(kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio);
    }
    pictures_[t.run_id] = picture;
    for (int row = 0; row < rowCount(); ++row)
      if (runs_[size_t(row)].id == t.run_id)
        Q_EMIT dataChanged(index(row, Image), index(row, Image));
  }
}

QImage RunsModel::thumbnail(qint64 id) const {
  const auto it = pictures_.find(id);
  return it == pictures_.end() ? QImage() : it->second;
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
      case Pinned:
        return role == Qt::EditRole ? QVariant(r->pinned)
                                    : QVariant(r->pinned ? tr("★") : QString());
      case Name:
        return qs(r->name);
      case Objective:
        return objective_summary(*r);
      case Tags: {
        QStringList tags;
        for (const auto& t : r->tags) tags << qs(t);
        return tags.join(QStringLiteral(", "));
      }
      case Preset:
        return qs(r->preset);
      case Status:
        return qs(session::status_label(*r));
      case BestMetric:
        if (!std::isfinite(r->best_metric) || !r->best_step)
          return role == Qt::EditRole ? QVariant(-1e300) : QVariant();
        return role == Qt::EditRole
                   ? QVariant(r->best_metric)
                   : QVariant(tr("%1 @ %2").arg(best_summary(*r)).arg(*r->best_step));
      case LastStep:
        return r->last_step ? QVariant(qlonglong(*r->last_step)) : QVariant();
      case Date: {
        auto dt = QDateTime::fromString(qs(r->created_at), Qt::ISODate);
        return dt.isValid() ? dt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                            : qs(r->created_at);
      }
    }
  }
  if (index.column() == Image) return imageData(*r, role);
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

QVariant RunsModel::imageData(const store::RunInfo& r, int role) const {
  const auto it = thumbnails_.find(r.id);
  if (it == thumbnails_.end() || it->second.step < 0) return {};
  const RunThumbnail& t = it->second;
  switch (role) {
    case Qt::DecorationRole: {
      // The same picture when the row is selected: the style's selection tint would change it.
      const QPixmap picture = QPixmap::fromImage(pictures_.at(r.id));
      QIcon icon(picture);
      icon.addPixmap(picture, QIcon::Selected);
      return icon;
    }
    case Qt::EditRole:  // sorts by the image's step
      return qlonglong(t.step);
    case Qt::ToolTipRole:
      return t.validation ? tr("Sign image of step %1's validation").arg(t.step)
                          : tr("Sign image of step %1's training run").arg(t.step);
    default:
      return {};
  }
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole || o != Qt::Horizontal) return {};
  switch (section) {
    case Id:
      return tr("#");
    case Pinned:
      return tr("★");
    case Name:
      return tr("Name");
    case Image:
      return tr("Image");
    case Objective:
      return tr("Objective");
    case Tags:
      return tr("Tags");
    case Preset:
      return tr("Preset");
    case Status:
      return tr("Status");
    case BestMetric:
      return tr("Best validation");
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
  buildFilters(bar);
  top->addLayout(bar);
  bar = new QHBoxLayout;
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
  pin_ = new QPushButton(tr("Pin"), this);
  pin_->setToolTip(tr("Keep the run at the top of the list"));
  tags_ = new QPushButton(tr("Tags…"), this);
  tags_->setToolTip(tr("Label the run (comma-separated), to filter by later"));
  for (auto* b : {open_, compare_, resume_, continue_, use_config_, revalidate_, rename_, pin_,
                  tags_, delete_})
    bar->addWidget(b);
  bar->addStretch();
  top->addLayout(bar);

  auto* split = new QSplitter(Qt::Vertical, this);
  model_ = new RunsModel(this);
  proxy_ = new RunsFilter(this);
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
  table_->setColumnWidth(RunsModel::Pinned, 28);
  table_->setColumnWidth(RunsModel::Objective, 190);
  table_->setColumnWidth(RunsModel::Tags, 120);
  table_->setColumnWidth(RunsModel::Preset, 110);
  table_->setColumnWidth(RunsModel::BestMetric, 150);
  table_->setColumnWidth(RunsModel::Date, 140);
  table_->setColumnWidth(RunsModel::Image, RunsModel::kThumbnailSize + 16);
  table_->verticalHeader()->setDefaultSectionSize(RunsModel::kThumbnailSize + 6);
  table_->setIconSize(QSize(RunsModel::kThumbnailSize, RunsModel::kThumbnailSize));
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
    updateFilterChoices();
    updateButtons();
  });
  connect(reader_, &StoreReader::thumbnailsLoaded, model_, &RunsModel::setThumbnails);
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
  connect(pin_, &QPushButton::clicked, this, [this] {
    const auto ids = selectedRunIds();
    if (ids.size() != 1) return;
    if (const auto* r = model_->runById(ids.front())) reader_->requestPinned(r->id, !r->pinned);
  });
  connect(tags_, &QPushButton::clicked, this, &HistoryBrowser::editTags);
  connect(save_notes_, &QPushButton::clicked, this, [this] {
    auto ids = selectedRunIds();
    if (ids.size() == 1) reader_->requestNotes(ids.front(), notes_->toPlainText());
  });

  updateFilterChoices();
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
  pin_->setEnabled(n == 1);
  pin_->setText(run && run->pinned ? tr("Unpin") : tr("Pin"));
  tags_->setEnabled(n == 1);
  save_notes_->setEnabled(n == 1);
}

void HistoryBrowser::showNotes() {
  auto ids = selectedRunIds();
  notes_->clear();
  if (ids.size() != 1) return;
  if (const auto* run = model_->runById(ids.front())) notes_->setPlainText(qs(run->notes));
}

}  // namespace dpg::ui

namespace dpg::ui {

void RunsFilter::setStatus(const QString& status) {
  status_ = status;
  invalidateFilter();
}
void RunsFilter::setObjective(const QString& objective) {
  objective_ = objective;
  invalidateFilter();
}
void RunsFilter::setTag(const QString& tag) {
  tag_ = tag;
  invalidateFilter();
}

bool RunsFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
  const auto* model = static_cast<const RunsModel*>(sourceModel());
  const auto* r = model->runAt(row);
  if (!r) return false;
  if (!status_.isEmpty() && qs(session::status_label(*r)) != status_) return false;
  if (!objective_.isEmpty() && objective_summary(*r) != objective_) return false;
  if (!tag_.isEmpty() &&
      std::find(r->tags.begin(), r->tags.end(), tag_.toStdString()) == r->tags.end())
    return false;
  return QSortFilterProxyModel::filterAcceptsRow(row, parent);
}

bool RunsFilter::lessThan(const QModelIndex& a, const QModelIndex& b) const {
  const auto* model = static_cast<const RunsModel*>(sourceModel());
  const auto *ra = model->runAt(a.row()), *rb = model->runAt(b.row());
  if (ra && rb && ra->pinned != rb->pinned)  // pinned first, whichever way the column sorts
    return (sortOrder() == Qt::AscendingOrder) ? ra->pinned : rb->pinned;
  return QSortFilterProxyModel::lessThan(a, b);
}

void HistoryBrowser::buildFilters(QHBoxLayout* bar) {
  status_box_ = new QComboBox(this);
  objective_box_ = new QComboBox(this);
  tag_box_ = new QComboBox(this);
  status_box_->setToolTip(tr("Show runs of one status only"));
  objective_box_->setToolTip(tr("Show runs of one objective only"));
  tag_box_->setToolTip(tr("Show runs with one tag only"));
  for (auto* box : {status_box_, objective_box_, tag_box_}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    bar->addWidget(box);
  }
  connect(status_box_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setStatus(status_box_->currentData().toString()); });
  connect(objective_box_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setObjective(objective_box_->currentData().toString()); });
  connect(tag_box_, &QComboBox::currentIndexChanged, this,
          [this] { proxy_->setTag(tag_box_->currentData().toString()); });
}

void HistoryBrowser::updateFilterChoices() {
  // Each box offers "any" and the values the listed runs have; the choice survives a refresh.
  QStringList statuses, objectives, tags;
  for (const auto& r : model_->runs()) {
    statuses << qs(session::status_label(r));
    objectives << objective_summary(r);
    for (const auto& t : r.tags) tags << qs(t);
  }
  const auto fill = [](QComboBox* box, const QString& any, QStringList values) {
    values.removeDuplicates();
    values.removeAll(QString());
    values.sort();
    const QString chosen = box->currentData().toString();
    QSignalBlocker b(box);
    box->clear();
    box->addItem(any, QString());
    for (const auto& v : values) box->addItem(v, v);
    const int at = box->findData(chosen);
    box->setCurrentIndex(std::max(0, at));
  };
  fill(status_box_, tr("Any status"), statuses);
  fill(objective_box_, tr("Any objective"), objectives);
  fill(tag_box_, tr("Any tag"), tags);
}

void HistoryBrowser::editTags() {
  const auto ids = selectedRunIds();
  if (ids.size() != 1) return;
  const auto* run = model_->runById(ids.front());
  if (!run) return;
  QStringList old;
  for (const auto& t : run->tags) old << qs(t);
  bool ok = false;
  const QString tags =
      QInputDialog::getText(this, tr("Tags"), tr("Tags, separated by commas:"), QLineEdit::Normal,
                            old.join(QStringLiteral(", ")), &ok);
  if (ok) reader_->requestTags(ids.front(), tags);
}

int HistoryBrowser::shownRows() const {
  return proxy_->rowCount();
}

}  // namespace dpg::ui
