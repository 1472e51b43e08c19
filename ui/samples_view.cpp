// SPDX-License-Identifier: MIT
#include "ui/samples_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include <set>

namespace dpg::ui {

void SamplesModel::setSamples(const SampleList& samples) {
  beginResetModel();
  samples_ = samples;
  endResetModel();
}

int SamplesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(samples_.size());
}
int SamplesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SamplesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(samples_.size())) return {};
  const auto& s = samples_[size_t(index.row())];
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Prompt: return qs(s.prompt);
      case Response: return qs(s.response);
      case Tau: return role == Qt::EditRole ? QVariant(s.tau) : QVariant(QString::number(s.tau, 'g', 4));
      case Advantage:
        return role == Qt::EditRole ? QVariant(s.advantage) : QVariant(QString::number(s.advantage, 'f', 3));
    }
  }
  if (role == Qt::ToolTipRole && index.column() <= Response)
    return qs(index.column() == Prompt ? s.prompt : s.response);
  if (role == Qt::TextAlignmentRole && index.column() >= Tau)
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ForegroundRole && index.column() == Advantage)
    return s.advantage >= 0 ? QColor(0, 110, 0) : QColor(170, 0, 0);
  return {};
}

QVariant SamplesModel::headerData(int section, Qt::Orientation o, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (o == Qt::Vertical) return section + 1;
  switch (section) {
    case Prompt: return tr("Prompt");
    case Response: return tr("Response");
    case Tau: return tr("τ (reward)");
    case Advantage: return tr("Advantage");
  }
  return {};
}

SamplesView::SamplesView(QWidget* parent) : QWidget(parent) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  step_label_ = new QLabel(tr("No samples yet: start a run or open one from History."), this);
  bar->addWidget(step_label_);
  bar->addStretch();
  bar->addWidget(new QLabel(tr("Step:"), this));
  step_box_ = new QSpinBox(this);
  step_box_->setRange(0, 1000000);
  step_box_->setToolTip(tr("Show the samples of another step"));
  bar->addWidget(step_box_);
  auto* go = new QPushButton(tr("Show"), this);
  bar->addWidget(go);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search prompts and responses…"));
  search_->setClearButtonEnabled(true);
  search_->setMinimumWidth(260);
  bar->addWidget(search_);
  top->addLayout(bar);

  model_ = new SamplesModel(this);
  proxy_ = new QSortFilterProxyModel(this);
  proxy_->setSourceModel(model_);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setSortRole(Qt::EditRole);
  table_ = new QTableView(this);
  table_->setModel(proxy_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(SamplesModel::Tau, Qt::DescendingOrder);  // the most helpful samples first
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setSectionResizeMode(SamplesModel::Prompt, QHeaderView::Interactive);
  table_->horizontalHeader()->setSectionResizeMode(SamplesModel::Response, QHeaderView::Stretch);
  table_->setColumnWidth(SamplesModel::Prompt, 320);
  top->addWidget(table_, 1);

  auto* copy = new QAction(tr("Copy"), table_);
  copy->setShortcut(QKeySequence::Copy);
  copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  table_->addAction(copy);
  table_->setContextMenuPolicy(Qt::ActionsContextMenu);
  connect(copy, &QAction::triggered, this, [this] { QApplication::clipboard()->setText(selectionText()); });
  connect(search_, &QLineEdit::textChanged, this, &SamplesView::setFilter);
  connect(go, &QPushButton::clicked, this, [this] { Q_EMIT stepRequested(step_box_->value()); });
}

void SamplesView::setFilter(const QString& text) {
  proxy_->setFilterRegularExpression(QRegularExpression(QRegularExpression::escape(text),
                                                       QRegularExpression::CaseInsensitiveOption));
}

void SamplesView::setSamples(int64_t step, const SampleList& samples) {
  model_->setSamples(samples);
  step_label_->setText(tr("Step %1: %2 rollouts").arg(step).arg(samples.size()));
  QSignalBlocker b(step_box_);
  step_box_->setValue(int(step));
}

void SamplesView::clear() {
  model_->setSamples({});
  step_label_->setText(tr("No samples yet."));
}

int SamplesView::rowCount() const { return proxy_->rowCount(); }

QString SamplesView::selectionText() const {
  std::set<int> rows;
  for (const auto& idx : table_->selectionModel()->selectedIndexes()) rows.insert(idx.row());
  QStringList lines;
  for (int r : rows) {
    QStringList cells;
    for (int c = 0; c < SamplesModel::ColumnCount; ++c)
      cells << proxy_->index(r, c).data(Qt::DisplayRole).toString();
    lines << cells.join(QLatin1Char('\t'));
  }
  return lines.join(QLatin1Char('\n'));
}

}  // namespace dpg::ui
