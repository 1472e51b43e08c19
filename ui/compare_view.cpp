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
#include <QSpinBox>
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

struct MetricChoice {
  const char* label;
  double (*get)(const engine::StepMetrics&);
};
const MetricChoice kMetrics[] = {
    {"Φ (train)", [](const engine::StepMetrics& m) { return m.Phi; }},
    {"Readable metric (train)", [](const engine::StepMetrics& m) { return m.metric; }},
    {"Φ (validation)", [](const engine::StepMetrics& m) { return m.val_Phi; }},
    {"Readable metric (validation)", [](const engine::StepMetrics& m) { return m.val_metric; }},
    {"Reward mean", [](const engine::StepMetrics& m) { return m.reward_mean; }},
    {"Fluency NLL", [](const engine::StepMetrics& m) { return m.fluency_nll; }},
    {"Policy loss", [](const engine::StepMetrics& m) { return m.policy_loss; }},
    {"Entropy", [](const engine::StepMetrics& m) { return m.entropy; }},
    {"Step time (s)", [](const engine::StepMetrics& m) { return m.step_seconds; }},
};

void flatten(const nlohmann::json& j, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (j.is_object() && !j.empty()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else {
    out[prefix] = j.dump();
  }
}
}  // namespace

std::vector<std::pair<std::string, std::vector<std::string>>> CompareView::configDiff(
    const std::vector<nlohmann::json>& configs) {
  std::vector<std::map<std::string, std::string>> flat(configs.size());
  std::set<std::string> keys;
  for (size_t i = 0; i < configs.size(); ++i) {
    flatten(configs[i], "", flat[i]);
    for (const auto& [k, v] : flat[i]) keys.insert(k);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& k : keys) {
    std::vector<std::string> values;
    for (const auto& f : flat) {
      auto it = f.find(k);
      values.push_back(it == f.end() ? "(absent)" : it->second);
    }
    bool differ = false;
    for (const auto& v : values) differ = differ || v != values.front();
    if (differ) out.emplace_back(k, values);
  }
  return out;
}

CompareView::CompareView(StoreReader* reader, QWidget* parent) : QWidget(parent), reader_(reader) {
  auto* top = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  hint_ = new QLabel(tr("Select 2–4 runs in History and press Compare."), this);
  bar->addWidget(hint_, 1);
  bar->addWidget(new QLabel(tr("Curve:"), this));
  metric_ = new QComboBox(this);
  for (const auto& m : kMetrics) metric_->addItem(QString::fromUtf8(m.label));
  metric_->setCurrentIndex(1);
  bar->addWidget(metric_);
  bar->addWidget(new QLabel(tr("Images at step:"), this));
  step_ = new QSpinBox(this);
  step_->setRange(0, 1000000);
  step_->setSpecialValueText(tr("newest"));
  bar->addWidget(step_);
  source_ = new QComboBox(this);
  source_->addItems(image_source_labels());
  source_->setToolTip(
      tr("Which inner run's sign image each run shows: at the newest snapshot step at or before "
         "the chosen one that has that kind"));
  bar->addWidget(source_);
  top->addLayout(bar);

  auto* split = new QSplitter(Qt::Vertical, this);
  auto* upper = new QSplitter(Qt::Horizontal, split);
  plot_ = new QCustomPlot(upper);
  plot_->setMinimumSize(300, 200);
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->legend->setVisible(true);
  // The legend sits in its own row above the axes, in one line, so it never hides the end of a
  // curve.
  plot_->legend->setBorderPen(Qt::NoPen);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, plot_->legend);
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  plot_->xAxis->setLabel(tr("step"));
  set_step_ticks(plot_->xAxis);
  auto* imgBox = new QWidget(upper);
  images_ = new QGridLayout(imgBox);
  upper->addWidget(plot_);
  upper->addWidget(imgBox);
  upper->setStretchFactor(0, 3);
  upper->setStretchFactor(1, 2);
  diff_ = new QTableWidget(split);
  diff_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  diff_->verticalHeader()->hide();
  diff_->setAlternatingRowColors(true);
  split->addWidget(upper);
  split->addWidget(diff_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  top->addWidget(split, 1);

  connect(reader_, &StoreReader::compareLoaded, this, &CompareView::showRuns);
  connect(metric_, &QComboBox::currentIndexChanged, this, &CompareView::plot);
  connect(step_, &QSpinBox::valueChanged, this, [this] {
    if (!ids_.isEmpty()) request();
  });
  connect(source_, &QComboBox::currentIndexChanged, this, [this] {
    if (!ids_.isEmpty()) request();
  });
}

void CompareView::compare(const QList<qint64>& runIds) {
  ids_ = runIds;
  request();
}

void CompareView::request() {
  reader_->requestCompare(ids_, step_->value() == 0 ? -1 : step_->value(), imageSource());
}

ImageSource CompareView::imageSource() const {
  return ImageSource(std::max(0, source_->currentIndex()));
}
void CompareView::setImageSource(ImageSource source) {
  source_->setCurrentIndex(int(source));
}

int CompareView::curveCount() const {
  return plot_->graphCount();
}
QString CompareView::curveName() const {
  return metric_->currentText();
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
  for (int i = 0; i < plot_->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot_->item(i))) out << text->text();
  return out;
}

void CompareView::showRuns(const CompareList& runs) {
  runs_ = runs;
  QStringList names;
  for (const auto& r : runs_) names << QStringLiteral("#%1 %2").arg(r.info.id).arg(qs(r.info.name));
  hint_->setText(tr("Comparing %1").arg(names.join(QStringLiteral(", "))));
  // The readable-metric curves take the objective's metric name when every run shares one.
  std::string metric = runs_.empty() ? std::string() : runs_.front().info.metric_name;
  for (const auto& r : runs_)
    if (r.info.metric_name != metric) metric.clear();
  metric_->setItemText(1, tr("%1 (train)").arg(metric_title(metric)));
  metric_->setItemText(3, tr("%1 (validation)").arg(metric_title(metric)));
  plot();

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
    if (sign_comparable(r.sign,
                        r.target))  // counted once here, not through wrongPixels() for every run
      stepLine += tr(": %1 of %2 right")
                      .arg(r.sign.rows * r.sign.cols - int64_t(wrong.size()))
                      .arg(r.sign.rows * r.sign.cols);
    auto* title =
        new QLabel(QStringLiteral("#%1 %2\n%3").arg(r.info.id).arg(qs(r.info.name), stepLine));
    title->setAlignment(Qt::AlignCenter);
    title->setStyleSheet(
        QStringLiteral("color: %1; font-weight: bold").arg(kColours[i % 4].name()));
    auto* img = new QLabel;
    img->setAlignment(Qt::AlignCenter);
    img->setMinimumSize(120, 120);
    img->setFrameShape(QFrame::StyledPanel);
    if (!r.sign.empty()) {
      const int scale = std::max(
          2, int(112 / std::max<int64_t>(r.sign.cols, r.sign.rows)));  // fits the 120 px cell
      img->setPixmap(QPixmap::fromImage(sign_image_marked(r.sign, wrong, scale)));
    } else {
      img->setText(tr("no snapshot"));
    }
    images_->addWidget(title, (i / 2) * 2, i % 2);
    images_->addWidget(img, (i / 2) * 2 + 1, i % 2);
  }
  for (int row = 0; row < images_->rowCount(); ++row) images_->setRowStretch(row, 0);
  images_->setRowStretch(images_->rowCount(),
                         1);  // titles sit on their images, spare room goes below

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
  for (const auto& r : runs_)
    headers << QStringLiteral("#%1 %2").arg(r.info.id).arg(qs(r.info.name));
  diff_->setHorizontalHeaderLabels(headers);
  diff_->setRowCount(int(diff.size()));
  for (int row = 0; row < int(diff.size()); ++row) {
    diff_->setItem(row, 0, new QTableWidgetItem(qs(diff[size_t(row)].first)));
    for (int c = 0; c < int(diff[size_t(row)].second.size()); ++c)
      diff_->setItem(row, c + 1, new QTableWidgetItem(qs(diff[size_t(row)].second[size_t(c)])));
  }
  diff_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
}

void CompareView::plot() {
  plot_->clearGraphs();
  const auto& choice =
      kMetrics[std::clamp(metric_->currentIndex(), 0, int(std::size(kMetrics)) - 1)];
  for (int i = 0; i < int(runs_.size()); ++i) {
    const auto& r = runs_[size_t(i)];
    QVector<double> x;
    std::vector<double> y;
    for (const auto& m : r.steps)
      if (std::isfinite(choice.get(m))) {
        x << double(m.step);
        y.push_back(choice.get(m));
      }
    const auto s = smooth(y, 0.6);
    auto* g = plot_->addGraph();
    g->setPen(QPen(kColours[i % 4], 1.8));
    g->setName(QStringLiteral("#%1 %2").arg(r.info.id).arg(qs(r.info.name)));
    g->setData(x, QVector<double>(s.begin(), s.end()), true);
  }
  // Schedule marks (lr drop, objective stages): one grey mark where every run shares the event,
  // else each run's own in its colour, its label one line lower per run so labels at one step stay
  // readable.
  plot_->clearItems();
  std::map<std::pair<int64_t, std::string>, std::vector<int>> owners;
  for (int i = 0; i < int(runs_.size()); ++i)
    for (const auto& e : runs_[size_t(i)].schedule) owners[{e.step, e.label}].push_back(i);
  for (const auto& [event, runs] : owners) {
    const config::ScheduleEvent e{event.first, event.second};
    if (runs.size() == runs_.size()) {
      add_schedule_mark(plot_, e, QColor(90, 90, 90), true);
      continue;
    }
    for (int i : runs)
      add_schedule_mark(plot_, e, kColours[i % 4], true,
                        QStringLiteral("#%1 ").arg(runs_[size_t(i)].info.id), i);
  }
  plot_->yAxis->setLabel(metric_->currentText());
  plot_->rescaleAxes();
  plot_->replot();
}

}  // namespace dpg::ui
