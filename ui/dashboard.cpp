// SPDX-License-Identifier: MIT
#include "ui/dashboard.h"

#include "ui/glossary.h"
#include "ui/smoothing.h"
#include "ui/step_axis.h"
#include "ui/types.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace dpg::ui {

namespace {
const QColor kTrain(31, 119, 180);
const QColor kVal(214, 39, 40);

enum PlotIndex {
  kPhi,
  kMetric,
  kReward,
  kFluency,
  kLoss,
  kClip,
  kEntropy,
  kTime,
  kZeroSpread,
  kAdvantage,
  kPlotCount
};
/// Where each plot sits: the objective and the reward's signal on the top row, the generator's
/// health and cost below.
constexpr int kGridRow[kPlotCount] = {0, 0, 0, 1, 1, 1, 1, 1, 0, 0};
constexpr int kGridCol[kPlotCount] = {0, 1, 2, 0, 1, 2, 3, 4, 3, 4};

using Getter = double (*)(const engine::StepMetrics&);
}  // namespace

Dashboard::Dashboard(QWidget* parent) : QWidget(parent) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Smoothing:")));
  slider_ = new QSlider(Qt::Horizontal);
  slider_->setRange(0, 99);
  slider_->setValue(60);
  slider_->setMaximumWidth(220);
  slider_->setToolTip(
      tr("Debiased exponential moving average (display only; raw values are kept)"));
  slider_label_ = new QLabel(QStringLiteral("0.60"));
  slider_label_->setMinimumWidth(40);
  bar->addWidget(slider_);
  bar->addWidget(slider_label_);
  log_time_ = new QCheckBox(tr("Log scale for step time"));
  bar->addWidget(log_time_);
  auto* fit = new QPushButton(tr("Fit all"));
  fit->setToolTip(tr("Reset zoom and pan (drag to pan, wheel to zoom)"));
  bar->addWidget(fit);
  bar->addStretch();
  top->addLayout(bar);

  auto* grid = new QGridLayout;
  grid->setSpacing(4);
  const char* const terms[kPlotCount] = {"Φ",           "readable metric", "τ",       "fluency NLL",
                                         "policy loss", "clip fraction",   "entropy", "step time",
                                         "zero spread", "advantage"};
  const QStringList titles = {tr("Φ (objective)"),
                              tr("Readable metric"),
                              tr("Reward τ: mean ± std"),
                              tr("Fluency NLL / token"),
                              tr("Policy loss"),
                              tr("Clip fraction"),
                              tr("Entropy"),
                              tr("Step time (s)"),
                              tr("Groups with equal τ"),
                              tr("Advantage Â: median, quartiles, range")};
  for (int i = 0; i < kPlotCount; ++i) {
    auto* p = makePlot(titles[i], {});
    plots_.push_back(p);
    title_tips_.push_back(glossary_definition(QString::fromUtf8(terms[i])));
    grid->addWidget(p, kGridRow[i], kGridCol[i]);
  }
  readout_ = new QLabel(tr("Hover a plot to read every curve at one step."));
  readout_->setObjectName(QStringLiteral("hoverReadout"));
  readout_->setWordWrap(true);
  readout_->setStyleSheet(QStringLiteral("color: #333"));
  top->addWidget(readout_);
  top->addLayout(grid, 1);
  metric_title_ = qobject_cast<QCPTextElement*>(plots_[kMetric]->plotLayout()->element(0, 0));

  // Graphs: 0 = train (smoothed), 1 = validation (Φ, metric) or upper band (reward).
  for (int i = 0; i < kPlotCount; ++i) {
    auto* g = plots_[size_t(i)]->addGraph();
    g->setPen(QPen(kTrain, 1.6));
    g->setName(tr("train"));
  }
  for (int i : {kPhi, kMetric}) {
    auto* g = plots_[size_t(i)]->addGraph();
    g->setPen(QPen(kVal, 1.6));
    g->setLineStyle(QCPGraph::lsLine);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    g->setName(tr("validation"));
    // The legend gets its own row under the title, laid out in one line, so it never hides a curve.
    auto* p = plots_[size_t(i)];
    auto* legend = p->legend;
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 7));
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setMargins(QMargins(2, 0, 2, 0));
    p->axisRect()->insetLayout()->take(legend);
    p->plotLayout()->insertRow(1);
    p->plotLayout()->addElement(1, 0, legend);
    p->plotLayout()->setRowStretchFactor(1, 0.001);
  }
  {
    // With one mini-batch per step (and one epoch) the PPO ratio is exactly 1, so nothing is ever
    // clipped: say so on the plot instead of leaving a flat zero line that looks broken.
    clip_note_ = note(
        plots_[kClip],
        tr("0 at every step: one mini-batch per step\nkeeps the PPO ratio at 1 (nothing to clip)"));
  }
  reward_note_ = note(plots_[kReward],
                      tr("mean ≈ 0 at every step: τ is centred, so the band\n(± std, the spread "
                         "that drives learning) is what to read"));
  for (auto* p : plots_) {
    // The hover crosshair: one vertical line a plot, all at the hovered step.
    // A segment spanning the axis rect: the step in plot coordinates, the height as a ratio.
    auto* line = new QCPItemLine(p);
    for (auto* end : {line->start, line->end}) end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->setPen(QPen(QColor(80, 80, 80), 1, Qt::DotLine));
    line->setVisible(false);
    line->setSelectable(false);
    crosshair_.push_back(line);
    p->installEventFilter(this);
  }
  {
    auto* p = plots_[kReward];
    auto* lo = p->addGraph();
    auto* hi = p->addGraph();
    QColor band = kTrain;
    band.setAlpha(50);
    lo->setPen(Qt::NoPen);
    hi->setPen(Qt::NoPen);
    hi->setBrush(band);
    hi->setChannelFillGraph(lo);
  }
  // The advantage's range (light) and quartiles (darker) as bands around its median: graphs 1–4.
  for (int alpha : {30, 70}) {
    auto* p = plots_[kAdvantage];
    auto* lo = p->addGraph();
    auto* hi = p->addGraph();
    QColor band = kTrain;
    band.setAlpha(alpha);
    lo->setPen(Qt::NoPen);
    hi->setPen(Qt::NoPen);
    hi->setBrush(band);
    hi->setChannelFillGraph(lo);
  }

  replot_timer_.setSingleShot(true);
  replot_timer_.setInterval(40);
  connect(&replot_timer_, &QTimer::timeout, this, &Dashboard::replot);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
  connect(log_time_, &QCheckBox::toggled, this, [this](bool on) {
    auto* axis = plots_[kTime]->yAxis;
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
      axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
      axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    fit_ = true;
    scheduleReplot();
  });
  connect(fit, &QPushButton::clicked, this, [this] {
    fit_ = true;
    scheduleReplot();
  });
}

QCPItemText* Dashboard::note(QCustomPlot* p, const QString& text) {
  auto* n = new QCPItemText(p);
  n->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
  n->position->setType(QCPItemPosition::ptAxisRectRatio);
  n->position->setCoords(0.5, 0.06);
  n->setText(text);
  n->setFont(QFont(font().family(), 7));
  n->setColor(Qt::darkGray);
  n->setVisible(false);
  return n;
}

QCustomPlot* Dashboard::makePlot(const QString& title, const QString& yLabel) {
  auto* p = new QCustomPlot(this);
  p->setMinimumSize(220, 150);
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  p->plotLayout()->insertRow(0);
  auto* t = new QCPTextElement(p, title, QFont(font().family(), 9, QFont::Bold));
  p->plotLayout()->addElement(0, 0, t);
  p->xAxis->setLabel(tr("step"));
  set_step_ticks(p->xAxis);
  p->yAxis->setLabel(yLabel);
  QFont small(font().family(), 8);
  p->xAxis->setTickLabelFont(small);
  p->yAxis->setTickLabelFont(small);
  p->xAxis->setLabelFont(small);
  p->setNoAntialiasingOnDrag(true);
  // A user zoom or pan stops the auto-fit until "Fit all".
  connect(p, &QCustomPlot::mouseWheel, this, [this] { fit_ = false; });
  connect(p, &QCustomPlot::mouseMove, this, [this, p](QMouseEvent* e) {
    if (e->buttons() & Qt::LeftButton) fit_ = false;
    hoverAt(p, e->pos());
  });
  return p;
}

void Dashboard::setMetricName(const std::string& metricName) {
  // Long names ("LM-head Frobenius norm (lower is better)") put their note on a second line.
  QString title = metric_title(metricName);
  const int paren = title.indexOf(QStringLiteral(" ("));
  if (title.size() > 28 && paren > 0) title[paren] = QLatin1Char('\n');
  metric_title_->setText(title);
  plots_[kMetric]->replot();
}

QString Dashboard::metricTitle() const {
  return metric_title_->text();
}

void Dashboard::setSchedule(const std::vector<config::ScheduleEvent>& events) {
  for (auto* item : schedule_items_) item->parentPlot()->removeItem(item);
  schedule_items_.clear();
  schedule_ = events;
  const QColor ink(90, 90, 90);
  // Labels on the top row only, each event's a line lower than the one before, so labels of
  // events a few steps apart do not run into each other.
  for (size_t i = 0; i < plots_.size(); ++i)
    for (size_t k = 0; k < events.size(); ++k)
      for (auto* item :
           add_schedule_mark(plots_[i], events[k], ink, kGridRow[i] == 0, QString(), int(k % 3)))
        schedule_items_.push_back(item);
  scheduleReplot();
}

void Dashboard::clear() {
  raw_.clear();
  fit_ = true;
  scheduleReplot();
}

void Dashboard::append(const engine::StepMetrics& m) {
  insertStep(m);
  scheduleReplot();
}

void Dashboard::appendMany(const std::vector<engine::StepMetrics>& ms) {
  for (const auto& m : ms) insertStep(m);
  scheduleReplot();
}

void Dashboard::insertStep(const engine::StepMetrics& m) {
  // raw_ stays sorted by step with no repeats. Steps nearly always arrive in order, but the reload
  // of a resumed run's stored steps can answer after its first live step, and a watched run's reads
  // can overlap.
  if (raw_.empty() || m.step > raw_.back().step) {
    raw_.push_back(m);
    return;
  }
  auto it =
      std::lower_bound(raw_.begin(), raw_.end(), m.step,
                       [](const engine::StepMetrics& a, int64_t step) { return a.step < step; });
  if (it == raw_.end() || it->step != m.step) raw_.insert(it, m);
}

void Dashboard::setSmoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, kMaxSmoothing);
  slider_label_->setText(QString::number(smoothing_, 'f', 2));
  scheduleReplot();
}

void Dashboard::scheduleReplot() {
  if (!replot_timer_.isActive()) replot_timer_.start();
}

int Dashboard::plottedPoints() const {
  return plots_[kPhi]->graph(0)->dataCount();
}

void Dashboard::replot() {
  QVector<double> xs;
  xs.reserve(int(raw_.size()));
  for (const auto& m : raw_) xs.push_back(double(m.step));

  auto series = [&](Getter g) {
    std::vector<double> ys;
    ys.reserve(raw_.size());
    for (const auto& m : raw_) ys.push_back(g(m));
    return ys;
  };
  auto setSmoothed = [&](QCPGraph* graph, const std::vector<double>& ys) {
    const auto s = smooth(ys, smoothing_);
    graph->setData(xs, QVector<double>(s.begin(), s.end()), true);
  };
  auto setFinite = [&](QCPGraph* graph, Getter g) {
    QVector<double> x, y;
    for (const auto& m : raw_)
      if (std::isfinite(g(m))) {
        x.push_back(double(m.step));
        y.push_back(g(m));
      }
    graph->setData(x, y, true);
  };

  const Getter getters[kPlotCount] = {
      [](const engine::StepMetrics& m) { return m.Phi; },
      [](const engine::StepMetrics& m) { return m.metric; },
      [](const engine::StepMetrics& m) { return m.reward_mean; },
      [](const engine::StepMetrics& m) { return m.fluency_nll; },
      [](const engine::StepMetrics& m) { return m.policy_loss; },
      [](const engine::StepMetrics& m) { return m.clip_frac; },
      [](const engine::StepMetrics& m) { return m.entropy; },
      [](const engine::StepMetrics& m) { return m.step_seconds; },
      [](const engine::StepMetrics& m) { return m.frac_zero_std; },
      [](const engine::StepMetrics& m) { return m.adv_median; },
  };
  for (int i = 0; i < kPlotCount; ++i) setSmoothed(plots_[size_t(i)]->graph(0), series(getters[i]));
  setFinite(plots_[kPhi]->graph(1), [](const engine::StepMetrics& m) { return m.val_Phi; });
  setFinite(plots_[kMetric]->graph(1), [](const engine::StepMetrics& m) { return m.val_metric; });
  {
    const auto mean = smooth(series(getters[kReward]), smoothing_);
    const auto sd =
        smooth(series([](const engine::StepMetrics& m) { return m.reward_std; }), smoothing_);
    QVector<double> lo, hi;
    for (size_t i = 0; i < mean.size(); ++i) {
      lo.push_back(mean[i] - sd[i]);
      hi.push_back(mean[i] + sd[i]);
    }
    plots_[kReward]->graph(1)->setData(xs, lo, true);
    plots_[kReward]->graph(2)->setData(xs, hi, true);
  }
  {
    // Range, then quartiles; smoothed like the median they surround.
    const Getter bands[4] = {[](const engine::StepMetrics& m) { return m.adv_min; },
                             [](const engine::StepMetrics& m) { return m.adv_max; },
                             [](const engine::StepMetrics& m) { return m.adv_q1; },
                             [](const engine::StepMetrics& m) { return m.adv_q3; }};
    for (int b = 0; b < 4; ++b) setSmoothed(plots_[kAdvantage]->graph(b + 1), series(bands[b]));
  }
  reward_note_->setVisible(
      !raw_.empty() && std::all_of(raw_.begin(), raw_.end(), [](const engine::StepMetrics& m) {
        return std::abs(m.reward_mean) <= 0.1 * m.reward_std && m.reward_std > 0;
      }));
  clip_note_->setVisible(!raw_.empty() &&
                         std::all_of(raw_.begin(), raw_.end(), [](const engine::StepMetrics& m) {
                           return m.clip_frac == 0.0;
                         }));
  for (auto* p : plots_) {
    if (fit_) {
      p->rescaleAxes();
      auto r = p->yAxis->range();
      bool found = false;
      const QCPRange data = p->graph(0)->getValueRange(found);
      if (found && data.size() < 1e-12)
        p->yAxis->setRange(data.center() - 0.5, data.center() + 0.5);
      else
        p->yAxis->setRange(r.lower - 0.05 * r.size(), r.upper + 0.05 * r.size());
      if (p->xAxis->range().size() < 1)
        p->xAxis->setRange(0, std::max(1.0, p->xAxis->range().upper + 1));
    }
    if (fit_ && p == plots_[kZeroSpread]) p->yAxis->setRange(-0.05, 1.05);  // a share
    p->replot(QCustomPlot::rpQueuedReplot);
  }
}

QString Dashboard::toCsv() const {
  QString out = QStringLiteral(
      "step,phi,metric,val_phi,val_metric,reward_mean,reward_std,policy_loss,clip_frac,kl,entropy,"
      "fluency_nll,gen_tok_per_s,step_seconds\n");
  auto num = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 10) : QString(); };
  for (const auto& m : raw_) {
    const QStringList row = {
        QString::number(m.step), num(m.Phi),         num(m.metric),     num(m.val_Phi),
        num(m.val_metric),       num(m.reward_mean), num(m.reward_std), num(m.policy_loss),
        num(m.clip_frac),        num(m.kl),          num(m.entropy),    num(m.fluency_nll),
        num(m.gen_tok_per_s),    num(m.step_seconds)};
    out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
  }
  return out;
}

}  // namespace dpg::ui

namespace dpg::ui {

int Dashboard::graphPoints(int plot, int graph) const {
  return plots_.at(size_t(plot))->graph(graph)->dataCount();
}

QWidget* Dashboard::plotWidget(int plot) const {
  return plot >= 0 && plot < int(plots_.size()) ? plots_[size_t(plot)] : nullptr;
}

QWidget* Dashboard::readoutWidget() const {
  return readout_;
}

QString Dashboard::titleTip(int plot) const {
  return plot >= 0 && plot < int(title_tips_.size()) ? title_tips_[size_t(plot)] : QString();
}

bool Dashboard::clipNoteShown() const {
  return clip_note_->visible();
}

bool Dashboard::rewardNoteShown() const {
  return reward_note_->visible();
}

std::vector<std::pair<double, double>> Dashboard::validationPoints() const {
  std::vector<std::pair<double, double>> out;
  const auto* data = plots_[kPhi]->graph(1)->data().data();
  for (auto it = data->constBegin(); it != data->constEnd(); ++it)
    out.emplace_back(it->key, it->value);
  return out;
}

bool Dashboard::crosshairVisible() const {
  return !crosshair_.empty() && crosshair_.front()->visible();
}

QString Dashboard::readoutText() const {
  return readout_->text();
}

void Dashboard::hoverAt(QCustomPlot* plot, const QPoint& pos) {
  const auto& tip =
      title_tips_[size_t(std::find(plots_.begin(), plots_.end(), plot) - plots_.begin())];
  if (plot->plotLayout()->element(0, 0)->outerRect().contains(pos))
    QToolTip::showText(plot->mapToGlobal(pos), tip, plot);
  else
    QToolTip::hideText();
  if (raw_.empty() || !plot->axisRect()->rect().contains(pos)) return;
  showStep(int64_t(std::lround(plot->xAxis->pixelToCoord(pos.x()))));
}

bool Dashboard::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Leave) {
    for (auto* line : crosshair_) line->setVisible(false);
    for (auto* p : plots_) p->replot(QCustomPlot::rpQueuedReplot);
  }
  return QWidget::eventFilter(watched, event);
}

void Dashboard::showStep(int64_t step) {
  if (raw_.empty()) return;
  // The stored step nearest to @p step.
  auto it = std::lower_bound(raw_.begin(), raw_.end(), step,
                             [](const engine::StepMetrics& a, int64_t s) { return a.step < s; });
  if (it == raw_.end())
    it = std::prev(it);
  else if (it != raw_.begin() && step - std::prev(it)->step < it->step - step)
    it = std::prev(it);
  const engine::StepMetrics& m = *it;
  for (auto* line : crosshair_) {
    line->start->setCoords(double(m.step), 0);
    line->end->setCoords(double(m.step), 1);
    line->setVisible(true);
  }
  for (auto* p : plots_) p->replot(QCustomPlot::rpQueuedReplot);
  readout_->setText(readout(m, it - raw_.begin()));
}

QString Dashboard::readout(const engine::StepMetrics& m, std::ptrdiff_t index) const {
  auto num = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 4) : tr("–"); };
  QStringList parts{tr("step %1").arg(m.step), tr("Φ %1").arg(num(m.Phi)),
                    tr("%1 %2").arg(metric_title_->text().simplified(), num(m.metric))};
  // The newest validation at or before this step, marked with its own step when older.
  for (auto i = index; i >= 0; --i) {
    const auto& v = raw_[size_t(i)];
    if (!std::isfinite(v.val_metric) && !std::isfinite(v.val_Phi)) continue;
    const QString at = v.step == m.step ? QString() : tr(" @%1").arg(v.step);
    parts << tr("validation Φ %1, metric %2%3").arg(num(v.val_Phi), num(v.val_metric), at);
    break;
  }
  parts << tr("τ %1 ± %2").arg(num(m.reward_mean), num(m.reward_std))
        << tr("fluency NLL %1").arg(num(m.fluency_nll))
        << tr("policy loss %1").arg(num(m.policy_loss)) << tr("clip %1").arg(num(m.clip_frac))
        << tr("entropy %1").arg(num(m.entropy)) << tr("%1 s").arg(num(m.step_seconds))
        << tr("equal-τ groups %1").arg(num(m.frac_zero_std))
        << tr("Â median %1 [%2, %3]").arg(num(m.adv_median), num(m.adv_q1), num(m.adv_q3));
  return parts.join(QStringLiteral("  ·  "));
}

}  // namespace dpg::ui
