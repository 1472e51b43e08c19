// SPDX-License-Identifier: MIT
#include "ui/samples_view.h"

#include "ui/credit_text.h"

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
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
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
int SamplesModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant SamplesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(samples_.size())) return {};
  const auto& s = samples_[size_t(index.row())];
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Prompt:
        return qs(s.prompt);
      case Response:
        return qs(s.response);
      case Tau:
        return role == Qt::EditRole ? QVariant(s.tau) : QVariant(QString::number(s.tau, 'g', 4));
      case Advantage:
        return role == Qt::EditRole ? QVariant(s.advantage)
                                    : QVariant(QString::number(s.advantage, 'f', 3));
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
    case Prompt:
      return tr("Prompt");
    case Response:
      return tr("Response");
    case Tau:
      return tr("τ (reward)");
    case Advantage:
      return tr("Advantage");
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
  detail_ = new QTextBrowser(this);
  detail_->setOpenLinks(false);
  detail_->setPlaceholderText(tr("Select a sample to read it in full."));
  auto* split = new QSplitter(Qt::Vertical, this);
  split->setObjectName(QStringLiteral("samplesSplitter"));
  split->addWidget(table_);
  split->addWidget(detail_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  top->addWidget(split, 1);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          &SamplesView::showDetail);

  auto* copy = new QAction(tr("Copy"), table_);
  copy->setShortcut(QKeySequence::Copy);
  copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  table_->addAction(copy);
  table_->setContextMenuPolicy(Qt::ActionsContextMenu);
  connect(copy, &QAction::triggered, this,
          [this] { QApplication::clipboard()->setText(selectionText()); });
  connect(search_, &QLineEdit::textChanged, this, &SamplesView::setFilter);
  connect(go, &QPushButton::clicked, this, [this] { Q_EMIT stepRequested(step_box_->value()); });
}

void SamplesView::setFilter(const QString& text) {
  proxy_->setFilterRegularExpression(QRegularExpression(QRegularExpression::escape(text),
                                                        QRegularExpression::CaseInsensitiveOption));
}

void SamplesView::setSamples(int64_t step, const SampleList& samples) {
  // Keep the selected row's place (the table is sorted, by τ unless the user chose another column),
  // else the top.
  const int row = std::max(0, table_->currentIndex().row());
  model_->setSamples(samples);
  if (proxy_->rowCount() > 0)
    table_->setCurrentIndex(
        proxy_->index(std::min(row, proxy_->rowCount() - 1), SamplesModel::Response));
  showDetail();
  step_label_->setText(tr("Step %1: %2 rollouts").arg(step).arg(samples.size()));
  QSignalBlocker b(step_box_);
  step_box_->setValue(int(step));
}

void SamplesView::showDetail() {
  const QModelIndex current = proxy_->mapToSource(table_->currentIndex());
  if (!current.isValid() || current.row() >= int(model_->samples().size())) {
    detail_->clear();
    return;
  }
  const auto& s = model_->samples()[size_t(current.row())];
  QString html =
      tr("<p><b>Sample %1</b>: τ = %2, advantage %3</p><p style=\"color: #666666\">%4</p>")
          .arg(s.index + 1)
          .arg(s.tau, 0, 'g', 4)
          .arg(s.advantage, 0, 'f', 3)
          .arg(qs(s.prompt).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
  if (s.byte_tau.empty()) {
    html +=
        QStringLiteral(
            "<p style=\"white-space: pre-wrap; font-family: monospace; font-size: 12pt\">%1</p>")
            .arg(qs(s.response).toHtmlEscaped());
    html +=
        tr("<p style=\"color: #666666\">Per-byte credit is stored for runs with grpo.credit = "
           "\"token\".</p>");
  } else {
    const double scale = credit_scale(s.byte_tau);
    html += QStringLiteral("<p style=\"font-size: 12pt\">%1</p>")
                .arg(credit_html(s.response, s.byte_tau, scale));
    html += tr("<p style=\"color: #666666\">Background: each byte's τ_ij (token credit), "
               "<span style=\"background-color: %1; color: #ffffff\">&nbsp;red&nbsp;</span> where "
               "training on it raised Φ, "
               "<span style=\"background-color: %2; color: #ffffff\">&nbsp;blue&nbsp;</span> where "
               "it lowered Φ; "
               "full colour at ±%3. Grey bytes lay past the target's context.</p>")
                .arg(credit_colour(scale, scale), credit_colour(-scale, scale))
                .arg(scale, 0, 'g', 3);
  }
  detail_->setHtml(html);
}

QString SamplesView::detailHtml() const {
  return detail_->toHtml();
}

void SamplesView::clear() {
  detail_->clear();
  model_->setSamples({});
  step_label_->setText(tr("No samples yet."));
}

int SamplesView::rowCount() const {
  return proxy_->rowCount();
}

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
