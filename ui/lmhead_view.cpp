// SPDX-License-Identifier: MIT
#include "ui/lmhead_view.h"

#include "ui/image_util.h"

#include "core/plugin/plugin_registry.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace dpg::ui {

namespace {
QLabel* imageLabel(QWidget* parent) {
  auto* l = new QLabel(parent);
  l->setAlignment(Qt::AlignCenter);
  l->setMinimumSize(160, 160);
  l->setFrameShape(QFrame::StyledPanel);
  l->setText(LmHeadView::tr("no snapshot yet"));
  return l;
}

int fitScale(const engine::Image& image, QSize box) {
  return std::max(1, std::min(box.width() / int(image.cols), box.height() / int(image.rows)));
}

QPixmap scaledPixmap(const engine::Image& image, QSize box) {
  if (image.empty()) return {};
  return QPixmap::fromImage(sign_image(image, fitScale(image, box)));
}

QLabel* caption(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setAlignment(Qt::AlignCenter);
  QFont f = l->font();
  f.setBold(true);
  l->setFont(f);
  return l;
}
}  // namespace

/// The first objective plugin with a judge for a target, from the GUI thread's own registry (a
/// registry is not thread-safe; the view lives on the GUI thread).
static plugin::JudgeFactory any_plugin_judges() {
  return [](const engine::Image& target) {
    static const plugin::PluginRegistry registry;
    static const plugin::JudgeFactory judges = registry.any_judges();  // plugins scanned once
    return judges(target);
  };
}

LmHeadView::LmHeadView(QWidget* parent) : QWidget(parent), judges_(any_plugin_judges()) {
  auto* top = new QVBoxLayout(this);
  auto* grid = new QGridLayout;
  target_label_ = imageLabel(this);
  sign_label_ = imageLabel(this);
  sign_label_->setToolTip(
      tr("The sign of each pixel's change after T inner steps, from the run chosen under "
         "\"Images\" (the caption says which). A red frame marks a pixel whose sign differs "
         "from the target Y"));
  plot_ = new QCustomPlot(this);
  plot_->setMinimumSize(260, 180);
  map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(QStringLiteral("P_T − P_0"));
  map_->setColorScale(scale_);
  QCPColorGradient diverging;
  diverging.clearColorStops();
  diverging.setColorStopAt(0.0, QColor(33, 102, 172));
  diverging.setColorStopAt(0.25, QColor(146, 197, 222));
  diverging.setColorStopAt(0.5, QColor(247, 247, 247));
  diverging.setColorStopAt(0.75, QColor(244, 165, 130));
  diverging.setColorStopAt(1.0, QColor(178, 24, 43));
  map_->setGradient(diverging);
  map_->setInterpolate(false);
  plot_->xAxis->setLabel(tr("token id offset (column)"));
  plot_->yAxis->setLabel(tr("hidden dim (row)"));
  plot_->yAxis->setRangeReversed(true);
  auto* margins = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

  grid->addWidget(caption(tr("Target Y"), this), 0, 0);
  sign_caption_ = caption(tr("sign(P_T − P_0)"), this);
  grid->addWidget(sign_caption_, 0, 1);
  grid->addWidget(caption(tr("P_T − P_0 heatmap"), this), 0, 2);
  grid->addWidget(target_label_, 1, 0);
  grid->addWidget(sign_label_, 1, 1);
  grid->addWidget(plot_, 1, 2);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(2, 2);
  grid->setRowStretch(1, 1);
  top->addLayout(grid, 1);

  auto* bar = new QHBoxLayout;
  play_ = new QToolButton(this);
  play_->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
  play_->setToolTip(tr("Play / pause the snapshots"));
  play_->setCheckable(true);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, 0);
  step_label_ = new QLabel(tr("step –"), this);
  step_label_->setMinimumWidth(110);
  source_box_ = new QComboBox(this);
  source_box_->addItems(image_source_labels());
  source_box_->setToolTip(
      tr("Which inner run's images to show. A snapshot step stores its training run's "
         "images and, when it validates, its validation's (fresh samples of held-out "
         "prompts). \"Validation steps only\" keeps the slider on one kind"));
  bar->addWidget(play_);
  bar->addWidget(slider_, 1);
  bar->addWidget(step_label_);
  bar->addWidget(new QLabel(tr("Images:"), this));
  bar->addWidget(source_box_);
  top->addLayout(bar);
  connect(source_box_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setSource(Source(i)); });

  play_timer_.setInterval(250);
  connect(&play_timer_, &QTimer::timeout, this, [this] {
    if (slider_->maximum() <= 0) return;
    const int next = slider_->value() + 1;
    slider_->setValue(next > slider_->maximum() ? 0 : next);
  });
  connect(play_, &QToolButton::toggled, this, [this](bool on) {
    play_->setIcon(style()->standardIcon(on ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    if (on)
      play_timer_.start();
    else
      play_timer_.stop();
  });
  connect(slider_, &QSlider::valueChanged, this, [this](int index) {
    const auto steps = shownSteps();
    if (index < 0 || index >= int(steps.size())) return;
    follow_ = index == int(steps.size()) - 1;
    if (steps[size_t(index)] != current_step_) {
      current_step_ = steps[size_t(index)];
      render();
    }
  });
}

std::vector<int64_t> LmHeadView::shownSteps() const {
  std::vector<int64_t> out;
  for (const auto& [step, set] : sets_)
    if (shows(set, source_)) out.push_back(step);
  return out;
}

void LmHeadView::setSource(Source source) {
  if (source_box_->currentIndex() != int(source)) {
    source_box_->setCurrentIndex(int(source));  // comes back here through the signal
    return;
  }
  source_ = source;
  // Stay at (or just before) the shown step; follow the newest if it was followed.
  const auto steps = shownSteps();
  if (steps.empty()) {
    updateSlider();
    return;
  }
  int64_t step = steps.front();
  for (int64_t st : steps)
    if (st <= current_step_ || follow_) step = st;
  current_step_ = step;
  follow_ = step == steps.back();
  updateSlider();
  render();
}

QString LmHeadView::signCaption() const {
  return sign_caption_->text();
}
QString LmHeadView::signCaptionTip() const {
  return sign_caption_->toolTip();
}

void LmHeadView::clear() {
  sets_.clear();
  target_ = {};
  judge_.reset();
  current_step_ = -1;
  follow_ = true;
  map_->data()->clear();
  target_label_->setPixmap({});
  target_label_->setText(tr("no snapshot yet"));
  sign_label_->setPixmap({});
  sign_label_->setText(tr("no snapshot yet"));
  sign_caption_->setText(tr("sign(P_T − P_0)"));
  sign_caption_->setToolTip({});
  wrong_pixels_ = -1;
  step_label_->setText(tr("step –"));
  updateSlider();
  plot_->replot();
}

void LmHeadView::setTarget(const engine::Image& target) {
  if (target.empty() || !sets_.empty()) return;  // a stored snapshot's Y wins
  target_ = target;
  judge_ = judges_ ? judges_(target_) : nullptr;
  showTargetOnly();
}

void LmHeadView::showTargetOnly() {
  if (target_.empty()) return;
  target_label_->setPixmap(scaledPixmap(target_, target_label_->size() - QSize(8, 8)));
  sign_label_->setText(tr("the sign image appears\nat the first snapshot step"));
}

void LmHeadView::setJudges(plugin::JudgeFactory judges) {
  judges_ = std::move(judges);
  judge_ = judges_ && !target_.empty() ? judges_(target_) : nullptr;
  render();
}

void LmHeadView::addSnapshot(const SnapshotSet& set) {
  if (!set.has_training() && !set.has_validation() && set.target.empty()) return;
  if (!set.target.empty() && (set.target.data != target_.data || target_.empty())) {
    target_ = set.target;
    judge_ =
        judges_ ? judges_(target_) : nullptr;  // a QR judge scans 21 × 21: well under a millisecond
  }
  auto& slot = sets_[set.step];
  slot = set;
  if (slot.target.empty()) slot.target = target_;
  updateSlider();
  if (follow_) showStep(set.step);
}

void LmHeadView::addSnapshots(const SnapshotList& sets) {
  for (const auto& s : sets) addSnapshot(s);
}

void LmHeadView::updateSlider() {
  QSignalBlocker block(slider_);
  const auto steps = shownSteps();
  slider_->setRange(0, std::max(0, int(steps.size()) - 1));
  auto it = std::find(steps.begin(), steps.end(), current_step_);
  if (it != steps.end()) slider_->setValue(int(it - steps.begin()));
}

void LmHeadView::showStep(int64_t step) {
  const auto steps = shownSteps();
  auto it = std::lower_bound(steps.begin(), steps.end(), step);
  if (it == steps.end()) return;
  current_step_ = *it;
  follow_ = current_step_ == steps.back();
  updateSlider();
  render();
}

QWidget* LmHeadView::heatmapWidget() const {
  return plot_;
}

int LmHeadView::heatmapCells() const {
  return map_->data()->keySize() * map_->data()->valueSize();
}

void LmHeadView::render() {
  auto it = sets_.find(current_step_);
  if (it == sets_.end()) return;
  const SnapshotSet& s = it->second;
  step_label_->setText(
      tr("step %1 (%2 of %3)").arg(s.step).arg(slider_->value() + 1).arg(shownSteps().size()));
  const QSize box = target_label_->size() - QSize(8, 8);
  const engine::Image& target = s.target.empty() ? target_ : s.target;
  if (!target.empty()) target_label_->setPixmap(scaledPixmap(target, box));
  bool validation = false;
  const auto [sign, delta] = source_images(s, source_, &validation);
  if (!sign->empty()) {
    // Wrong pixels framed in red and counted in the caption, so the last stubborn pixels stand out.
    const auto wrong = sign_mismatches(*sign, target);
    const bool comparable = sign_comparable(*sign, target);
    wrong_pixels_ = comparable ? int(wrong.size()) : -1;
    const int scale = fitScale(*sign, sign_label_->size() - QSize(8, 8));
    sign_label_->setPixmap(QPixmap::fromImage(sign_image_marked(*sign, wrong, scale)));
    const int total = int(sign->rows * sign->cols);
    const QString which = validation ? tr("validation") : tr("training");
    QString text = comparable ? tr("sign(P_T − P_0), %1: %2 of %3 right")
                                    .arg(which)
                                    .arg(total - wrong_pixels_)
                                    .arg(total)
                              : tr("sign(P_T − P_0), %1").arg(which);
    // The plugin's verdict, e.g. for a QR target whether this image scans, the test a phone would
    // make (docs/results.md (c)). On a line of its own, shorter than the first, so that the caption
    // stays narrower than its column; the tooltip has the long form.
    QString tip;
    if (judge_) {
      const auto verdict = judge_->judge(*sign);
      text += QLatin1Char('\n') + QString::fromStdString(verdict.text);
      tip = QString::fromStdString(verdict.detail);
    }
    sign_caption_->setText(text);
    sign_caption_->setToolTip(tip);
  } else {
    wrong_pixels_ = -1;
    sign_label_->setPixmap({});
    sign_label_->setText(tr("no sign image at this step"));
    sign_caption_->setText(tr("sign(P_T − P_0)"));
    sign_caption_->setToolTip({});
  }
  if (!delta->empty()) {
    const engine::Image& d = *delta;
    const int rows = int(d.rows), cols = int(d.cols);
    map_->data()->setSize(cols, rows);
    map_->data()->setRange(QCPRange(0, cols - 1), QCPRange(0, rows - 1));
    double m = 1e-12;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const double v = d.at(r, c);
        map_->data()->setCell(c, r, v);
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
      }
    map_->setDataRange(QCPRange(-m, m));  // symmetric: white is exactly zero
    plot_->xAxis->setRange(-0.5, cols - 0.5);
    plot_->yAxis->setRange(-0.5, rows - 0.5);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LmHeadView::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  if (current_step_ >= 0)
    QTimer::singleShot(0, this, &LmHeadView::render);  // after the layout settles
  else if (!target_.empty())
    QTimer::singleShot(0, this, &LmHeadView::showTargetOnly);
}

QImage LmHeadView::exportImage() const {
  auto it = sets_.find(current_step_);
  if (it == sets_.end()) return {};
  const SnapshotSet& s = it->second;
  const engine::Image& target = s.target.empty() ? target_ : s.target;
  const int scale = 12, gap = 16;
  const auto [sign, delta] = source_images(s, source_);
  QImage a = sign_image(target, scale), b = sign_image(*sign, scale),
         c = diverging_image(*delta, scale);
  const int w = a.width() + b.width() + c.width() + 4 * gap;
  const int h = std::max({a.height(), b.height(), c.height()}) + 2 * gap;
  QImage out(std::max(w, 1), std::max(h, 1), QImage::Format_RGB32);
  out.fill(Qt::white);
  QPainter p(&out);
  int x = gap;
  for (const QImage* img : {&a, &b, &c}) {
    if (img->isNull()) continue;
    p.drawImage(x, gap, *img);
    x += img->width() + gap;
  }
  return out;
}

}  // namespace dpg::ui
