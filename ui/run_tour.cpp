// SPDX-License-Identifier: MIT
#include "ui/run_tour.h"

#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLayout>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

#include <algorithm>

namespace dpg::ui {

namespace {
const QColor kFrame(230, 120, 0);
constexpr int kGap = 12;  ///< between the framed region and the callout
}  // namespace

RunTour::RunTour(QWidget* window, std::vector<Stop> stops)
    : QWidget(window), stops_(std::move(stops)) {
  setObjectName(QStringLiteral("runTour"));
  setAttribute(Qt::WA_TransparentForMouseEvents);
  callout_ = new QFrame(window);
  callout_->setObjectName(QStringLiteral("runTourCallout"));
  callout_->setFrameShape(QFrame::StyledPanel);
  callout_->setAutoFillBackground(true);
  callout_->setStyleSheet(
      QStringLiteral("#runTourCallout { background: #fffdf6; border: 2px solid #e67800; "
                     "border-radius: 6px; }"));
  callout_->setFixedWidth(340);
  auto* l = new QVBoxLayout(callout_);
  title_ = new QLabel(callout_);
  QFont bold = title_->font();
  bold.setBold(true);
  bold.setPointSizeF(bold.pointSizeF() * 1.1);
  title_->setFont(bold);
  text_ = new QLabel(callout_);
  text_->setWordWrap(true);
  l->addWidget(title_);
  l->addWidget(text_);
  auto* bar = new QHBoxLayout;
  counter_ = new QLabel(callout_);
  counter_->setStyleSheet(QStringLiteral("color: #777"));
  auto* close = new QPushButton(tr("Close"), callout_);
  back_ = new QPushButton(tr("Back"), callout_);
  next_ = new QPushButton(tr("Next"), callout_);
  next_->setDefault(true);
  bar->addWidget(counter_);
  bar->addStretch();
  bar->addWidget(close);
  bar->addWidget(back_);
  bar->addWidget(next_);
  l->addLayout(bar);
  connect(close, &QPushButton::clicked, this, &RunTour::finish);
  connect(back_, &QPushButton::clicked, this, &RunTour::back);
  connect(next_, &QPushButton::clicked, this, &RunTour::next);
  auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), callout_);
  escape->setContext(Qt::WidgetWithChildrenShortcut);
  connect(escape, &QShortcut::activated, this, &RunTour::finish);
  window->installEventFilter(this);
  callout_->hide();
  hide();
  showStop(0);
}

RunTour::~RunTour() {
  delete callout_.data();
}

QString RunTour::title() const {
  return title_->text();
}

QString RunTour::text() const {
  return text_->text();
}

QString RunTour::nextText() const {
  return next_->text();
}

QRect RunTour::highlighted() const {
  if (stops_.empty() || !stops_[size_t(current_)].area) return {};
  return stops_[size_t(current_)].area();
}

QRect RunTour::calloutGeometry() const {
  return callout_->geometry();
}

void RunTour::next() {
  if (current_ + 1 < count())
    showStop(current_ + 1);
  else
    finish();
}

void RunTour::back() {
  if (current_ > 0) showStop(current_ - 1);
}

void RunTour::finish() {
  if (!isVisible() && !callout_->isVisible()) return;
  hide();
  callout_->hide();
  Q_EMIT finished();
  deleteLater();
}

void RunTour::showStop(int index) {
  if (stops_.empty()) return;
  current_ = std::clamp(index, 0, count() - 1);
  const Stop& s = stops_[size_t(current_)];
  title_->setText(s.title);
  text_->setText(s.text);
  counter_->setText(tr("%1 of %2").arg(current_ + 1).arg(count()));
  back_->setEnabled(current_ > 0);
  next_->setText(current_ + 1 == count() ? tr("Done") : tr("Next"));
  if (isVisible()) place();
}

void RunTour::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  callout_->show();
  place();
  next_->setFocus();
}

void RunTour::place() {
  auto* window = parentWidget();
  setGeometry(window->rect());
  raise();
  // Tall enough for the wrapped text at the callout's fixed width.
  auto* layout = callout_->layout();
  layout->activate();
  const int width = callout_->width();
  callout_->setFixedHeight(layout->hasHeightForWidth() ? layout->totalHeightForWidth(width)
                                                       : layout->totalSizeHint().height());
  callout_->raise();
  const QRect area = highlighted();
  const QRect bounds = window->rect().adjusted(kGap, kGap, -kGap, -kGap);
  const QSize size = callout_->size();
  // Right of the region, else left, else below, else above; then kept inside the window.
  QPoint at;
  if (area.right() + kGap + size.width() <= bounds.right())
    at = QPoint(area.right() + kGap, area.top());
  else if (area.left() - kGap - size.width() >= bounds.left())
    at = QPoint(area.left() - kGap - size.width(), area.top());
  else if (area.bottom() + kGap + size.height() <= bounds.bottom())
    at = QPoint(area.left(), area.bottom() + kGap);
  else
    at = QPoint(area.left(), area.top() - kGap - size.height());
  at.setX(
      std::clamp(at.x(), bounds.left(), std::max(bounds.left(), bounds.right() - size.width())));
  at.setY(
      std::clamp(at.y(), bounds.top(), std::max(bounds.top(), bounds.bottom() - size.height())));
  callout_->move(at);
  update();
}

void RunTour::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QRect area = highlighted().adjusted(-4, -4, 4, 4);
  QPainterPath dim;
  dim.setFillRule(Qt::OddEvenFill);
  dim.addRect(rect());
  dim.addRoundedRect(area, 6, 6);
  p.fillPath(dim, QColor(0, 0, 0, 70));
  p.setPen(QPen(kFrame, 3));
  p.drawRoundedRect(area, 6, 6);
}

bool RunTour::eventFilter(QObject* watched, QEvent* event) {
  if (watched == parentWidget() && event->type() == QEvent::Resize && isVisible()) place();
  return QWidget::eventFilter(watched, event);
}

}  // namespace dpg::ui
