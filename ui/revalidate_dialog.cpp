// SPDX-License-Identifier: MIT
#include "ui/revalidate_dialog.h"

#include "core/config/run_config.h"
#include "core/dpg/errors.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/evaluate.h"
#include "ui/types.h"

#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dpg::ui {

struct RevalidateDialog::Outcome {
  bool ok = false;
  bool cancelled = false;
  QString error;
  session::EvalResult result;
};

struct RevalidateDialog::Listing {
  std::vector<int64_t> steps;
  QString error;
};

RevalidateDialog::RevalidateDialog(const QString& dbPath, const store::RunInfo& run,
                                   QWidget* parent)
    : QDialog(parent),
      db_path_(dbPath),
      run_(run),
      mean_metric_(std::numeric_limits<double>::quiet_NaN()) {
  setWindowTitle(tr("Re-validate run #%1").arg(run.id));
  config::RunConfig cfg;
  try {
    cfg = config::RunConfig::from_json(nlohmann::json::parse(run.config_json));
  } catch (const std::exception&) {
    // Defaults stand in; the worker reports the real problem when it parses the same config.
  }
  auto* top = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("<b>#%1 %2</b><br>Validates a stored generator checkpoint again on fresh samples of "
         "the held-out prompts. Read-only: the run is not changed. With the run's own settings "
         "the result repeats the stored validation of that step exactly.")
          .arg(run.id)
          .arg(qs(run.name).toHtmlEscaped()));
  intro->setWordWrap(true);
  top->addWidget(intro);

  auto* form = new QFormLayout;
  step_ = new QComboBox(this);
  step_->setObjectName(QStringLiteral("step"));
  const int64_t defaultStep = run.best_step.value_or(run.last_step.value_or(1));
  step_->addItem(tr("%1 (loading the list…)").arg(defaultStep),
                 QVariant::fromValue<qint64>(defaultStep));
  step_->setToolTip(tr(
      "The steps with a stored checkpoint: every checkpoint_every steps, each new best step, and "
      "the last step. Default: the best step."));
  repeats_ = new QSpinBox(this);
  repeats_->setObjectName(QStringLiteral("repeats"));
  repeats_->setRange(1, 500);
  repeats_->setValue(
      int(cfg.validation.repeats));  // the run's own: the default repeats its validation exactly
  repeats_->setToolTip(
      tr("Independent validations on fresh samples; their mean and spread are reported. "
         "10–20 give a standard error near 0.01 on 67-tiny."));
  prompts_ = new QSpinBox(this);
  prompts_->setRange(1, 4096);
  prompts_->setValue(int(cfg.validation.prompts));
  prompts_->setToolTip(tr("Held-out prompts per validation (each gets group_size responses)"));
  t_val_ = new QSpinBox(this);
  t_val_->setRange(1, 4096);
  t_val_->setValue(int(cfg.validation.T));
  t_val_->setToolTip(
      tr("Inner steps of the target on the validation samples (must divide their number)"));
  temperature_ = new QDoubleSpinBox(this);
  temperature_->setRange(0.05, 5.0);
  temperature_->setSingleStep(0.05);
  temperature_->setDecimals(2);
  temperature_->setValue(cfg.validation.temperature);
  temperature_->setToolTip(tr("Sampling temperature of the validation responses"));
  fields_ = {step_, repeats_, prompts_, t_val_, temperature_};
  for (QWidget* w : fields_) w->setMaximumWidth(140);
  form->addRow(tr("Checkpoint step"), step_);
  form->addRow(tr("Repeats"), repeats_);
  form->addRow(tr("Prompts"), prompts_);
  form->addRow(tr("T_val"), t_val_);
  form->addRow(tr("Temperature"), temperature_);
  top->addLayout(form);

  auto* bar = new QHBoxLayout;
  run_button_ = new QPushButton(tr("Re-validate"), this);
  run_button_->setDefault(true);
  run_button_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  run_button_->setToolTip(tr("Start (Ctrl+Return); press again to cancel"));
  busy_ = new QProgressBar(this);
  busy_->setRange(0, 0);
  busy_->setVisible(false);
  bar->addWidget(run_button_);
  bar->addWidget(busy_, 1);
  top->addLayout(bar);

  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  top->addWidget(summary_);

  auto* tables = new QHBoxLayout;
  repeats_table_ = new QTableWidget(0, 2, this);
  // The objective's own metric name where the store has it (schema 3), else "metric".
  const QString metric = metric_noun(run_.metric_name);
  repeats_table_->setHorizontalHeaderLabels({tr("Φ_val"), metric});
  repeats_table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  repeats_table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  repeats_table_->setMinimumWidth(220);
  tables->addWidget(repeats_table_, 1);
  auto* pixBox = new QVBoxLayout;
  auto* pixCaption =
      new QLabel(tr("How often each pixel matched Y over the repeats (rows: hidden dims, columns: "
                    "tokens; ▪ = Y dark; red = often wrong)"));
  pixCaption->setWordWrap(true);
  pixBox->addWidget(pixCaption);
  pixels_ = new QTableWidget(this);
  pixels_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  pixels_->horizontalHeader()->setDefaultSectionSize(46);
  pixels_->verticalHeader()->setDefaultSectionSize(22);
  pixBox->addWidget(pixels_, 1);
  tables->addLayout(pixBox, 2);
  top->addLayout(tables, 1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  top->addWidget(buttons);
  connect(run_button_, &QPushButton::clicked, this, &RevalidateDialog::start);
  resize(820, 560);
  loadCheckpoints();
}

RevalidateDialog::~RevalidateDialog() {
  if (thread_) {
    cancel_->store(true);  // the engine polls it between stages and inner steps
    thread_->wait();
    delete thread_;
  }
  if (loader_) {  // one short read of the store
    loader_->wait();
    delete loader_;
  }
}

void RevalidateDialog::loadCheckpoints() {
  listing_ = std::make_shared<Listing>();
  loader_ = QThread::create([db = db_path_.toStdString(), id = run_.id, out = listing_] {
    try {
      const auto st = store::RunStore::open(db, /*read_only=*/true);
      for (const auto& ck : st.checkpoints(id)) out->steps.push_back(ck.step);
    } catch (const std::exception& e) {
      out->error = QString::fromUtf8(e.what());
    }
  });
  connect(loader_, &QThread::finished, this, &RevalidateDialog::showCheckpoints);
  loader_->start();
}

void RevalidateDialog::showCheckpoints() {
  loader_->deleteLater();
  loader_ = nullptr;
  const int64_t chosen = step_->currentData().toLongLong();
  if (!listing_->error.isEmpty() || listing_->steps.empty()) {
    step_->setItemText(0, QString::number(chosen));
    summary_->setText(
        listing_->error.isEmpty()
            ? tr("This run has no stored checkpoints yet.")
            : tr("<span style='color:#b00000'>Could not list the checkpoints: %1</span>")
                  .arg(listing_->error.toHtmlEscaped()));
    return;
  }
  auto steps = listing_->steps;
  std::sort(steps.begin(), steps.end());
  step_->clear();
  for (int64_t s : steps) {
    QStringList marks;
    if (run_.best_step && s == *run_.best_step) marks << tr("best");
    if (run_.last_step && s == *run_.last_step) marks << tr("last");
    const QString label = marks.isEmpty()
                              ? QString::number(s)
                              : tr("%1  (%2)").arg(s).arg(marks.join(QStringLiteral(", ")));
    step_->addItem(label, QVariant::fromValue<qint64>(s));
  }
  const int at = step_->findData(QVariant::fromValue<qint64>(chosen));
  step_->setCurrentIndex(at >= 0 ? at : step_->count() - 1);
}

QList<qint64> RevalidateDialog::checkpointSteps() const {
  QList<qint64> steps;
  for (int i = 0; i < step_->count(); ++i) steps << step_->itemData(i).toLongLong();
  return steps;
}

QString RevalidateDialog::summary() const {
  return summary_->text();
}

void RevalidateDialog::start() {
  if (thread_) {  // the button reads "Cancel" while busy
    cancel_->store(true);
    run_button_->setEnabled(false);
    return;
  }
  session::EvalRequest req;
  req.db_path = db_path_.toStdString();
  req.run_id = run_.id;
  req.step = step_->currentData().toLongLong();
  req.sets = {
      "validation.repeats=" + std::to_string(repeats_->value()),
      "validation.prompts=" + std::to_string(prompts_->value()),
      "validation.T=" + std::to_string(t_val_->value()),
      "validation.temperature=" + QString::number(temperature_->value(), 'g', 6).toStdString()};
  outcome_ = std::make_shared<Outcome>();
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  thread_ = QThread::create([req, out = outcome_, cancel = cancel_] {
    try {
      plugin::PluginRegistry plugins;
      out->result = session::evaluate_checkpoint(req, plugins, cancel.get());
      out->ok = true;
    } catch (const engine::Cancelled&) {
      out->cancelled = true;
    } catch (const std::exception& e) {
      out->error = QString::fromUtf8(e.what());
    }
  });
  connect(thread_, &QThread::finished, this, &RevalidateDialog::finish);
  for (QWidget* w : fields_) w->setEnabled(false);
  run_button_->setText(tr("Cancel"));
  busy_->setVisible(true);
  summary_->setText(tr("Validating the checkpoint of step %1, %2 time(s)…")
                        .arg(*req.step)
                        .arg(repeats_->value()));
  thread_->start();
}

void RevalidateDialog::finish() {
  thread_->deleteLater();
  thread_ = nullptr;
  for (QWidget* w : fields_) w->setEnabled(true);
  run_button_->setText(tr("Re-validate"));
  run_button_->setEnabled(true);
  busy_->setVisible(false);
  showOutcome(*outcome_);
}

void RevalidateDialog::showOutcome(const Outcome& o) {
  if (o.cancelled) {
    summary_->setText(tr("Cancelled."));
    return;
  }
  if (!o.ok) {
    summary_->setText(tr("<span style='color:#b00000'>Could not re-validate: %1</span>")
                          .arg(o.error.toHtmlEscaped()));
    return;
  }
  const auto& r = o.result;
  const auto& v = r.validation;
  mean_metric_ = v.metric;
  const QString metric = metric_noun(run_.metric_name);
  QString text =
      tr("Step %1: %2 validation(s) of %3 prompts × %4 samples, T_val %5, temperature %6.<br>"
         "<b>Mean %12 %7 ± %8</b> (sd over repeats; min %9, max %10), mean Φ_val %11.")
          .arg(r.step)
          .arg(v.metrics.size())
          .arg(r.config.validation.prompts)
          .arg(r.config.grpo.group_size)
          .arg(r.config.validation.T)
          .arg(r.config.validation.temperature)
          .arg(v.metric, 0, 'f', 4)
          .arg(r.metric_sd, 0, 'f', 4)
          .arg(r.metric_min, 0, 'f', 4)
          .arg(r.metric_max, 0, 'f', 4)
          .arg(v.Phi, 0, 'f', 6)
          .arg(metric);
  if (r.stored_metric)
    text += tr("<br>The run's own validation of this step: %3 %1, Φ_val %2.")
                .arg(*r.stored_metric, 0, 'f', 4)
                .arg(*r.stored_phi, 0, 'f', 6)
                .arg(metric);
  summary_->setText(text);

  repeats_table_->setRowCount(int(v.metrics.size()));
  QStringList repeatLabels;  // repeat 0 is the run's own validation stream
  for (int i = 0; i < int(v.metrics.size()); ++i) repeatLabels << QString::number(i);
  repeats_table_->setVerticalHeaderLabels(repeatLabels);
  for (int i = 0; i < int(v.metrics.size()); ++i) {
    repeats_table_->setItem(i, 0, new QTableWidgetItem(QString::number(v.Phis[size_t(i)], 'f', 6)));
    repeats_table_->setItem(i, 1,
                            new QTableWidgetItem(QString::number(v.metrics[size_t(i)], 'f', 4)));
  }
  const auto rates = session::pixel_hit_rates(v);
  pixels_->setRowCount(int(rates.rows));
  pixels_->setColumnCount(int(rates.cols));
  QStringList rowLabels, colLabels;  // offsets within the patch: hidden dim r, token c
  for (int64_t row = 0; row < rates.rows; ++row) rowLabels << tr("dim %1").arg(row);
  for (int64_t col = 0; col < rates.cols; ++col) colLabels << tr("tok %1").arg(col);
  pixels_->setVerticalHeaderLabels(rowLabels);
  pixels_->setHorizontalHeaderLabels(colLabels);
  for (int64_t row = 0; row < rates.rows; ++row)
    for (int64_t col = 0; col < rates.cols; ++col) {
      const double hit = rates.at(row, col);
      const bool dark = v.view.target.at(row, col) > 0;
      auto* item = new QTableWidgetItem(QStringLiteral("%1%2")
                                            .arg(dark ? QStringLiteral("▪") : QString())
                                            .arg(int(std::lround(100 * hit))));
      item->setTextAlignment(Qt::AlignCenter);
      item->setBackground(
          QColor(255, int(255 * (0.35 + 0.65 * hit)), int(255 * (0.35 + 0.65 * hit))));
      item->setToolTip(tr("row %1, column %2: Y %3, right in %4 % of the repeats")
                           .arg(row)
                           .arg(col)
                           .arg(dark ? QStringLiteral("+1") : QStringLiteral("−1"))
                           .arg(100 * hit, 0, 'f', 0));
      pixels_->setItem(int(row), int(col), item);
    }
}

}  // namespace dpg::ui
