// SPDX-License-Identifier: MIT
#include "ui/compare_view.h"

#include "ui/image_util.h"
#include "ui/smoothing.h"
#include "ui/step_axis.h"
#include "ui/store_reader.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <map>
#include <set>

namespace dpg::ui {

namespace {
const QColor kColours[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44),
                           QColor(148, 103, 189)};

/// One small multiple: its title, the value it plots, and whether it holds validations (markers
/// joined from one validation to the next, never smoothed).
struct Panel {
  const char* title;
  double (*get)(const engine::StepMetrics&);
  bool validation;
  bool share = false;  ///< a value in [0, 1], drawn on that range
};
enum PanelIndex { kPanelPhi, kPanelMetric, kPanelValPhi, kPanelValMetric };
const Panel kPanels[] = {
    {"Φ (train)", [](const engine::StepMetrics& m) { return m.Phi; }, false},
    {"Readable metric (train)", [](const engine::StepMetrics& m) { return m.metric; }, false},
    {"Φ (validation)", [](const engine::StepMetrics& m) { return m.val_Phi; }, true},
    {"Readable metric (validation)", [](const engine::StepMetrics& m) { return m.val_metric; },
     true},
    {"Reward τ: mean", [](const engine::StepMetrics& m) { return m.reward_mean; }, false},
    {"Reward τ: spread (std)", [](const engine::StepMetrics& m) { return m.reward_std; }, false},
    {"Groups with equal τ", [](const engine::StepMetrics& m) { return m.frac_zero_std; }, false,
     true},
    {"Fluency NLL / token", [](const engine::StepMetrics& m) { return m.fluency_nll; }, false},
    {"Entropy", [](const engine::StepMetrics& m) { return m.entropy; }, false},
    {"Policy loss", [](const engine::StepMetrics& m) { return m.policy_loss; }, false},
    {"Step time (s)", [](const engine::StepMetrics& m) { return m.step_seconds; }, false},
};
constexpr int kPanelCount = int(std::size(kPanels));
constexpr int kGridColumns = 6;

void flatten(const nlohmann::json& j, const std::string& prefix,
             std::map<std::string, nlohmann::json>& out) {
  if (j.is_object() && !j.empty()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out[prefix] = j;
  }
}

QString runName(const CompareRun& r) {
  return QStringLiteral("#%1 %2").arg(r.info.id).arg(qs(r.info.name));
}
}  // namespace

std::vector<std::pair<std::string, std::vector<std::string>>> CompareView::configDiff(
    const std::vector<nlohmann::json>& configs) {
  std::vector<std::map<std::string, nlohmann::json>> flat(configs.size());
  std::set<std::string> keys;
  for (size_t i = 0; i < configs.size(); ++i) {
    flatten(configs[i], "", flat[i]);
    for (const auto& [k, v] : flat[i]) keys.insert(k);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& k : keys) {
    std::vector<const nlohmann::json*> values;
    for (const auto& f : flat) {
      auto it = f.find(k);
      values.push_back(it == f.end() ? nullptr : &it->second);
    }
    // JSON equality: numbers compare by value (20 == 20.0), objects and arrays element-wise.
    bool differ = false;
    for (const auto* v : values)
      differ = differ || (v == nullptr) != (values.front() == nullptr) ||
               (v && values.front() && *v != *values.front());
    if (!differ) continue;
    std::vector<std::string> shown;
    for (const auto* v : values) shown.push_back(v ? v->dump() : "(absent)");
    out.emplace_back(k, shown);
  }
  return out;
}

CompareView::CompareView(StoreReader* reader, QWidget* parent) : QWidget(parent), reader_(reader) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  hint_ = new QLabel(tr("Select 2–4 runs in History and press Compare."), this);
  hint_->setWordWrap(true);
  bar->addWidget(hint_, 1);
  bar->addWidget(new QLabel(tr("x-axis:"), this));
  x_box_ = new QComboBox(this);
  x_box_->setObjectName(QStringLiteral("xAxis"));
  x_box_->addItems(
      {tr("Step"), tr("Examples seen (steps × rollouts)"), tr("Time (minutes of step time)")});
  x_box_->setToolTip(
      tr("Runs with different rollouts a step line up by the examples they saw; "
         "runs on different machines or settings by the time they took"));
  bar->addWidget(x_box_);
  bar->addWidget(new QLabel(tr("Smoothing:"), this));
  smooth_ = new QSlider(Qt::Horizontal, this);
  smooth_->setRange(0, 99);
  smooth_->setValue(60);
  smooth_->setMaximumWidth(160);
  smooth_->setToolTip(
      tr("Debiased exponential moving average; the raw curve is drawn faint "
         "underneath. Validations are never smoothed."));
  smooth_label_ = new QLabel(QStringLiteral("0.60"), this);
  bar->addWidget(smooth_);
  bar->addWidget(smooth_label_);
  top->addLayout(bar);

  auto* split = new QSplitter(Qt::Vertical, this);
  auto* gridHost = new QWidget(split);
  auto* grid = new QGridLayout(gridHost);
  grid->setSpacing(2);
  grid->setContentsMargins(0, 0, 0, 0);
  for (int i = 0; i < kPanelCount; ++i) {
    auto* p = new QCustomPlot(gridHost);
    p->setMinimumSize(180, 140);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0,
                                new QCPTextElement(p, QString::fromUtf8(kPanels[i].title),
                                                   QFont(font().family(), 9, QFont::Bold)));
    const QFont small(font().family(), 7);
    p->xAxis->setTickLabelFont(small);
    p->yAxis->setTickLabelFont(small);
    p->xAxis->setLabelFont(small);
    plots_.push_back(p);
    grid->addWidget(p, i / kGridColumns, i % kGridColumns);
  }

  auto* lower = new QSplitter(Qt::Horizontal, split);
  auto* imgBox = new QWidget(lower);
  auto* il = new QVBoxLayout(imgBox);
  auto* stepBar = new QHBoxLayout;
  stepBar->addWidget(new QLabel(tr("Sign images at:"), imgBox));
  step_ = new QSlider(Qt::Horizontal, imgBox);
  step_->setObjectName(QStringLiteral("imageStep"));
  step_->setToolTip(
      tr("Moves every run's sign image to its newest snapshot at or before this "
         "step; all the way right: each run's newest"));
  stepBar->addWidget(step_, 1);
  step_label_ = new QLabel(tr("newest"), imgBox);
  step_label_->setMinimumWidth(70);
  stepBar->addWidget(step_label_);
  source_ = new QComboBox(imgBox);
  source_->addItems(image_source_labels());
  source_->setToolTip(
      tr("Which inner run's sign image each run shows: at the newest snapshot step at or before "
         "the chosen one that has that kind"));
  stepBar->addWidget(source_);
  il->addLayout(stepBar);
  auto* imgs = new QWidget(imgBox);
  images_ = new QGridLayout(imgs);
  il->addWidget(imgs, 1);
  diff_ = new QTableWidget(lower);
  diff_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  diff_->verticalHeader()->hide();
  diff_->setAlternatingRowColors(true);
  lower->addWidget(imgBox);
  lower->addWidget(diff_);
  lower->setStretchFactor(0, 3);
  lower->setStretchFactor(1, 2);
  split->addWidget(gridHost);
  split->addWidget(lower);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  top->addWidget(split, 1);

  step_timer_.setSingleShot(true);
  step_timer_.setInterval(150);
  connect(&step_timer_, &QTimer::timeout, this, [this] {
    if (!ids_.isEmpty()) request();
  });
  connect(reader_, &StoreReader::compareLoaded, this, &CompareView::showRuns);
  connect(x_box_, &QComboBox::currentIndexChanged, this,
          [this](int i) { setXAxis(XAxis(std::clamp(i, 0, 2))); });
  connect(smooth_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
  connect(step_, &QSlider::valueChanged, this,
          [this](int v) { setImageStep(v >= step_->maximum() ? -1 : v); });
  connect(source_, &QComboBox::currentIndexChanged, this, [this] {
    if (!ids_.isEmpty()) request();
  });
}

void CompareView::compare(const QList<qint64>& runIds) {
  ids_ = runIds;
  image_step_ = -1;
  request();
}

void CompareView::request() {
  reader_->requestCompare(ids_, image_step_, imageSource());
}

void CompareView::setImageStep(qint64 step) {
  image_step_ = step;
  {
    QSignalBlocker b(step_);
    if (step < 0)
      step_->setValue(step_->maximum());
    else
      step_->setValue(int(step));
  }
  step_label_->setText(step < 0 ? tr("newest") : tr("step %1").arg(step));
  step_timer_.start();
}

ImageSource CompareView::imageSource() const {
  return ImageSource(std::max(0, source_->currentIndex()));
}
void CompareView::setImageSource(ImageSource source) {
  source_->setCurrentIndex(int(source));
}

void CompareView::setXAxis(XAxis axis) {
  x_axis_ = axis;
  {
    QSignalBlocker b(x_box_);
    x_box_->setCurrentIndex(int(axis));
  }
  plot();
}

void CompareView::setSmoothing(double weight) {
  smoothing_ = std::clamp(weight, 0.0, kMaxSmoothing);
  smooth_label_->setText(QString::number(smoothing_, 'f', 2));
  plot();
}

int CompareView::curveCount() const {
  int n = 0;
  const auto* p = plots_[kPanelMetric];
  for (int i = 0; i < p->graphCount(); ++i) n += p->graph(i)->property("smoothed").toBool();
  return n;
}

QString CompareView::curveName() const {
  return qobject_cast<QCPTextElement*>(plots_[kPanelMetric]->plotLayout()->element(0, 0))->text();
}

QStringList CompareView::panelTitles() const {
  QStringList out;
  for (auto* p : plots_)
    out << qobject_cast<QCPTextElement*>(p->plotLayout()->element(0, 0))->text();
  return out;
}

double CompareView::lastX(int run) const {
  const auto* p = plots_[kPanelPhi];
  for (int i = 0; i < p->graphCount(); ++i)
    if (p->graph(i)->property("run").toInt() == run && p->graph(i)->dataCount() > 0)
      return (p->graph(i)->data()->constEnd() - 1)->key;
  return std::nan("");
}

std::vector<int64_t> CompareView::imageSteps() const {
  std::vector<int64_t> out;
  for (const auto& r : runs_) out.push_back(r.sign.empty() ? -1 : r.image_step);
  return out;
}

std::vector<int> CompareView::wrongPixels() const {
  std::vector<int> out;
  for (const auto& r : runs_) {
    out.push_back(sign_comparable(r.sign, r.target) ? int(sign_mismatches(r.sign, r.target).size())
                                                    : -1);
  }
  return out;
}

std::vector<bool> CompareView::shownValidation() const {
  std::vector<bool> out;
  for (const auto& r : runs_) out.push_back(r.validation);
  return out;
}

int CompareView::diffRows() const {
  return diff_->rowCount();
}

QStringList CompareView::scheduleLabels() const {
  QStringList out;
  for (int i = 0; i < plots_[0]->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plots_[0]->item(i))) out << text->text();
  return out;
}

void CompareView::showRuns(const CompareList& runs) {
  runs_ = runs;
  rollouts_.clear();
  int64_t last = 1;
  for (const auto& r : runs_) {
    double rollouts = 1;
    try {
      const auto cfg = config::RunConfig::from_json(nlohmann::json::parse(r.info.config_json));
      rollouts = double(cfg.grpo.prompts_per_step * cfg.grpo.group_size);
    } catch (const std::exception&) {
      // an unreadable stored config counts one example a step
    }
    rollouts_.push_back(rollouts);
    if (!r.steps.empty()) last = std::max(last, r.steps.back().step);
  }
  // The run names in their curves' colours: the grid's legend.
  QStringList names;
  for (int i = 0; i < int(runs_.size()); ++i)
    names << QStringLiteral("<span style=\"color:%1\"><b>■ %2</b></span>")
                 .arg(kColours[i % 4].name(), runName(runs_[size_t(i)]).toHtmlEscaped());
  hint_->setText(tr("Comparing %1").arg(names.join(QStringLiteral("&nbsp;&nbsp; "))));
  {
    QSignalBlocker b(step_);
    step_->setRange(1, int(last) + 1);  // the last position: each run's newest
    step_->setValue(image_step_ < 0 ? step_->maximum() : int(image_step_));
  }
  // The readable-metric plots take the objective's metric name when every run shares one.
  std::string metric = runs_.empty() ? std::string() : runs_.front().info.metric_name;
  for (const auto& r : runs_)
    if (r.info.metric_name != metric) metric.clear();
  for (int i : {kPanelMetric, kPanelValMetric})
    qobject_cast<QCPTextElement*>(plots_[size_t(i)]->plotLayout()->element(0, 0))
        ->setText(i == kPanelMetric ? tr("%1 (train)").arg(metric_title(metric))
                                    : tr("%1 (validation)").arg(metric_title(metric)));
  plot();
  showImages();
  showDiff();
}

void CompareView::showImages() {
  while (auto* item = images_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  for (int i = 0; i < int(runs_.size()); ++i) {
    const auto& r = runs_[size_t(i)];
    // Pixels whose sign differs from Y are framed in red and counted, as in the Run view.
    const auto wrong = sign_mismatches(r.sign, r.target);
    QString stepLine = r.image_step < 0 ? tr("step –")
                       : r.validation   ? tr("step %1, validation").arg(r.image_step)
                                        : tr("step %1, training").arg(r.image_step);
    if (sign_comparable(r.sign, r.target))
      stepLine += tr(": %1 of %2 right")
                      .arg(r.sign.rows * r.sign.cols - int64_t(wrong.size()))
                      .arg(r.sign.rows * r.sign.cols);
    auto* title = new QLabel(runName(r) + QLatin1Char('\n') + stepLine);
    title->setAlignment(Qt::AlignCenter);
    title->setWordWrap(true);
    title->setStyleSheet(
        QStringLiteral("color: %1; font-weight: bold").arg(kColours[i % 4].name()));
    auto* img = new QLabel;
    img->setAlignment(Qt::AlignCenter);
    img->setMinimumSize(120, 120);
    img->setFrameShape(QFrame::StyledPanel);
    if (!r.sign.empty()) {
      const int scale = std::max(2, int(112 / std::max<int64_t>(r.sign.cols, r.sign.rows)));
      img->setPixmap(QPixmap::fromImage(sign_image_marked(r.sign, wrong, scale)));
    } else {
      img->setText(tr("no snapshot"));
    }
    images_->addWidget(title, 0, i);
    images_->addWidget(img, 1, i);
  }
  images_->setRowStretch(0, 0);
  images_->setRowStretch(1, 0);
  images_->setRowStretch(2, 1);  // titles sit on their images, spare room goes below
}

void CompareView::showDiff() {
  std::vector<nlohmann::json> configs;
  for (const auto& r : runs_) {
    try {
      configs.push_back(nlohmann::json::parse(r.info.config_json));
    } catch (const std::exception&) {
      configs.push_back(nlohmann::json::object());
    }
  }
  const auto diff = configDiff(configs);
  diff_->clear();
  diff_->setColumnCount(int(runs_.size()) + 1);
  QStringList headers{tr("Config key (differs)")};
  for (const auto& r : runs_) headers << runName(r);
  diff_->setHorizontalHeaderLabels(headers);
  diff_->setRowCount(int(diff.size()));
  for (int row = 0; row < int(diff.size()); ++row) {
    diff_->setItem(row, 0, new QTableWidgetItem(qs(diff[size_t(row)].first)));
    for (int c = 0; c < int(diff[size_t(row)].second.size()); ++c)
      diff_->setItem(row, c + 1, new QTableWidgetItem(qs(diff[size_t(row)].second[size_t(c)])));
  }
  diff_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
}

std::vector<double> CompareView::xs(const CompareRun& run) const {
  std::vector<double> out;
  const size_t k = size_t(&run - runs_.data());
  const double rollouts = k < rollouts_.size() ? rollouts_[k] : 1.0;
  double minutes = 0;
  for (const auto& m : run.steps) {
    minutes += (std::isfinite(m.step_seconds) ? m.step_seconds : 0.0) / 60.0;
    out.push_back(x_axis_ == XAxis::Step       ? double(m.step)
                  : x_axis_ == XAxis::Examples ? double(m.step) * rollouts
                                               : minutes);
  }
  return out;
}

void CompareView::plot() {
  for (int i = 0; i < kPanelCount; ++i) plotPanel(i);
}

void CompareView::plotPanel(int panel) {
  auto* p = plots_[size_t(panel)];
  const Panel& what = kPanels[panel];
  p->clearGraphs();
  for (int i = 0; i < int(runs_.size()); ++i) {
    const auto& r = runs_[size_t(i)];
    const auto x_all = xs(r);
    QVector<double> x;
    std::vector<double> y;
    for (size_t k = 0; k < r.steps.size(); ++k)
      if (std::isfinite(what.get(r.steps[k]))) {
        x << x_all[k];
        y.push_back(what.get(r.steps[k]));
      }
    const QColor colour = kColours[i % 4];
    if (what.validation) {
      auto* g = p->addGraph();
      g->setPen(QPen(colour, 1.4));
      g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 4));
      g->setData(x, QVector<double>(y.begin(), y.end()), true);
      g->setProperty("run", i);
      g->setProperty("smoothed", true);
      continue;
    }
    QColor faint = colour;
    faint.setAlpha(55);
    auto* raw = p->addGraph();
    raw->setPen(QPen(faint, 1.0));
    raw->setData(x, QVector<double>(y.begin(), y.end()), true);
    raw->setProperty("run", i);
    const auto s = smooth(y, smoothing_);
    auto* g = p->addGraph();
    g->setPen(QPen(colour, 1.6));
    g->setData(x, QVector<double>(s.begin(), s.end()), true);
    g->setProperty("run", i);
    g->setProperty("smoothed", true);
  }
  p->xAxis->setLabel(x_box_->currentText());
  if (x_axis_ == XAxis::Step)
    set_step_ticks(p->xAxis);
  else
    p->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  markSchedule(p, panel < kGridColumns);
  p->rescaleAxes();
  if (what.share) p->yAxis->setRange(-0.05, 1.05);
  p->replot(QCustomPlot::rpQueuedReplot);
}

void CompareView::markSchedule(QCustomPlot* p, bool labelled) {
  // Schedule marks (lr drop, objective stages), on the step axis only: one grey mark where every
  // run shares the event, else each run's own in its colour, its label one line lower per run.
  p->clearItems();
  if (x_axis_ != XAxis::Step) return;
  std::map<std::pair<int64_t, std::string>, std::vector<int>> owners;
  for (int i = 0; i < int(runs_.size()); ++i)
    for (const auto& e : runs_[size_t(i)].schedule) owners[{e.step, e.label}].push_back(i);
  int shared = 0;  // shared events' labels step down a line each, so close ones stay readable
  for (const auto& [event, runs] : owners) {
    const config::ScheduleEvent e{event.first, event.second};
    if (runs.size() == runs_.size()) {
      add_schedule_mark(p, e, QColor(90, 90, 90), labelled, QString(), shared++ % 3);
      continue;
    }
    for (int i : runs)
      add_schedule_mark(p, e, kColours[i % 4], labelled,
                        QStringLiteral("#%1 ").arg(runs_[size_t(i)].info.id), i);
  }
}

}  // namespace dpg::ui
