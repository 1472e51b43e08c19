// SPDX-License-Identifier: MIT
#include "ui/main_window.h"

#include "core/config/presets.h"
#include "core/config/schedule.h"
#include "core/session/run_session.h"
#include "ui/compare_view.h"
#include "ui/continue_dialog.h"
#include "ui/dashboard.h"
#include "ui/designer/objective_designer.h"
#include "ui/engine_controller.h"
#include "ui/history_browser.h"
#include "ui/image_util.h"
#include "ui/lmhead_view.h"
#include "ui/objective_kinds.h"
#include "ui/preset_cards.h"
#include "ui/revalidate_dialog.h"
#include "ui/run_setup.h"
#include "ui/samples_view.h"
#include "ui/store_reader.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace dpg::ui {

namespace {
/// The splitters whose sizes the window keeps between sessions, with their QSettings keys.
constexpr std::pair<const char*, const char*> kSplitters[] = {
    {"designSplitter", "window/design"},
    {"runSplitter", "window/run"},
    {"samplesSplitter", "window/samples"}};
}  // namespace

MainWindow::MainWindow(const QString& dbPath, QWidget* parent) : QMainWindow(parent) {
  register_metatypes();
  setObjectName(QStringLiteral("MainWindow"));
  db_path_ = dbPath.isEmpty() ? qs(session::default_db_path()) : dbPath;
  setWindowTitle(tr("DPG Workbench — %1").arg(QFileInfo(db_path_).fileName()));
  engine_ = new EngineController(this);
  reader_ = new StoreReader(db_path_, this);

  tabs_ = new QTabWidget(this);
  tabs_->setDocumentMode(true);
  setCentralWidget(tabs_);
  tabs_->addTab(buildStartPage(), tr("Start"));
  tabs_->addTab(buildDesignPage(), tr("Design"));
  tabs_->addTab(buildRunPage(), tr("Run"));
  samples_ = new SamplesView;
  tabs_->addTab(samples_, tr("Samples"));
  history_ = new HistoryBrowser(reader_);
  tabs_->addTab(history_, tr("History"));
  compare_ = new CompareView(reader_);
  tabs_->addTab(compare_, tr("Compare"));

  buildMenus();
  buildStatusBar();
  connectEngine();
  connectStore();
  connectHistory();

  // A run opened from History (e.g. a CLI `dpg run`) is followed live from the store.
  poll_.setInterval(1000);
  connect(&poll_, &QTimer::timeout, this, &MainWindow::pollShownRun);
  poll_.start();
  restoreLayout();
}

QWidget* MainWindow::buildDesignPage() {
  auto* design = new QSplitter(Qt::Horizontal);
  designer_ = new ObjectiveDesigner(design);
  setup_ = new RunSetup(design);
  design->addWidget(designer_);
  design->addWidget(setup_);
  design->setStretchFactor(0, 3);
  design->setStretchFactor(1, 2);
  // The run setup keeps room for a label and a readable value side by side.
  setup_->setMinimumWidth(470);
  design->setSizes({900, 500});
  design->setObjectName(QStringLiteral("designSplitter"));

  connect(designer_, &ObjectiveDesigner::useInRun, this, [this](const nlohmann::json& p) {
    setup_->setObjectiveParams(p);
    statusBar()->showMessage(tr("The run setup now uses the designed bitmap."), 4000);
  });
  connect(setup_, &RunSetup::targetModelChanged, designer_, &ObjectiveDesigner::setTargetModel);
  designer_->setTargetModel(qs(setup_->config().target.model));
  if (designerEdits(setup_->config().objective.kind))
    designer_->setObjectiveParams(setup_->config().objective.params);
  designer_->undoStack()->clear();  // loading the preset is not an edit
  return design;
}

QWidget* MainWindow::buildRunPage() {
  auto* run = new QWidget;
  auto* rl = new QVBoxLayout(run);
  run_label_ = new QLabel(tr("No run shown. Press Start (F5) or open a run from History."));
  QFont bold = run_label_->font();
  bold.setBold(true);
  run_label_->setFont(bold);
  rl->addWidget(run_label_);
  auto* runSplit = new QSplitter(Qt::Vertical);
  runSplit->setObjectName(QStringLiteral("runSplitter"));
  dashboard_ = new Dashboard(runSplit);
  lmhead_ = new LmHeadView(runSplit);
  runSplit->addWidget(dashboard_);
  runSplit->addWidget(lmhead_);
  runSplit->setStretchFactor(0, 3);
  runSplit->setStretchFactor(1, 2);
  rl->addWidget(runSplit, 1);
  return run;
}

void MainWindow::buildStatusBar() {
  step_label_ = new QLabel(tr("idle"));
  speed_label_ = new QLabel;
  eta_label_ = new QLabel;
  for (auto* l : {step_label_, speed_label_, eta_label_}) {
    l->setMinimumWidth(120);
    statusBar()->addPermanentWidget(l);
  }
  // Where this window's runs live, always in view; the tooltip adds where its settings are
  // remembered.
  auto* store = new QLabel(tr("Store: %1").arg(db_path_));
  store->setObjectName(QStringLiteral("storeLabel"));
  store->setToolTip(tr("Runs: %1\nSettings: %2").arg(db_path_, QSettings().fileName()));
  statusBar()->insertPermanentWidget(0, store);
}

void MainWindow::connectEngine() {
  connect(engine_, &EngineController::runStarted, this,
          [this](qint64 id, qint64 first, qint64 total, const QString& metricName,
                 const ScheduleMarks& schedule) {
            total_steps_ = total;
            steps_this_session_ = 0;
            clock_.restart();
            if (shown_run_ != id) resetRunViews(id);
            dashboard_->setMetricName(metricName.toStdString());
            dashboard_->setSchedule(schedule);
            shown_is_live_ = true;
            if (first > 1) reader_->requestSteps(id, -1), reader_->requestSnapshots(id, -1);
            history_->refresh();
            updateStatus();
            showTourOnce();
          });
  connect(engine_, &EngineController::stepCompleted, this, &MainWindow::onStep);
  connect(engine_, &EngineController::runFinished, this, [this](qint64 id, const QString& status) {
    statusBar()->showMessage(tr("Run %1.").arg(status), 5000);
    if (id == shown_run_) run_label_->setText(runTitle(id, status));
    history_->refresh();
    updateStatus();
    updateRunActions();
  });
  connect(engine_, &EngineController::errorOccurred, this, &MainWindow::showError);
  connect(engine_, &EngineController::runningChanged, this, [this] {
    updateRunActions();
    updateStatus();
  });
}

void MainWindow::connectStore() {
  connect(reader_, &StoreReader::stepsLoaded, this, [this](qint64 id, const MetricsList& steps) {
    if (id != shown_run_ || steps.empty()) return;
    dashboard_->appendMany(steps);
    const qint64 newest = steps.back().step;
    if (newest > last_step_) {
      last_step_ = newest;
      if (!shown_is_live_) reader_->requestSamples(id, newest);
    }
    updateStatus();
  });
  connect(reader_, &StoreReader::snapshotsLoaded, this,
          [this](qint64 id, const SnapshotList& sets) {
            if (id != shown_run_) return;
            lmhead_->addSnapshots(sets);
            if (!sets.empty())
              last_snapshot_step_ = std::max<qint64>(last_snapshot_step_, sets.back().step);
          });
  connect(reader_, &StoreReader::samplesLoaded, this,
          [this](qint64 id, qint64 step, const SampleList& s) {
            if (id == shown_run_) samples_->setSamples(step, s);
          });
  connect(reader_, &StoreReader::error, this,
          [this](const QString& m) { statusBar()->showMessage(tr("Store: %1").arg(m), 5000); });
  connect(reader_, &StoreReader::samplesExported, this,
          [this](qint64 id, const QString& path, qint64 lines) {
            statusBar()->showMessage(
                tr("Wrote %n sample(s) of run #%1 to %2.", nullptr, int(lines)).arg(id).arg(path),
                8000);
          });
  connect(reader_, &StoreReader::actionFailed, this, [this](const QString& m) { showError(m); });
  connect(samples_, &SamplesView::stepRequested, this, [this](qint64 step) {
    if (shown_run_ >= 0) reader_->requestSamples(shown_run_, step);
  });
}

void MainWindow::connectHistory() {
  // History's list changes with every run's status: Resume follows it.
  connect(history_->model(), &QAbstractItemModel::modelReset, this, &MainWindow::updateRunActions);
  connect(history_->model(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateRunActions);
  connect(history_, &HistoryBrowser::openRequested, this, &MainWindow::openRun);
  connect(history_, &HistoryBrowser::compareRequested, this, &MainWindow::compareRuns);
  connect(history_, &HistoryBrowser::revalidateRequested, this, &MainWindow::revalidateRun);
  connect(history_, &HistoryBrowser::resumeRequested, this,
          [this](qint64 id) { resumeStoredRun(id); });
  connect(history_, &HistoryBrowser::continueRequested, this, &MainWindow::continueRun);
  connect(history_, &HistoryBrowser::configRequested, this, &MainWindow::useRunConfig);
}

void MainWindow::restoreLayout() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  for (const auto& [splitter, key] : kSplitters)
    if (auto* s = findChild<QSplitter*>(QLatin1String(splitter)))
      s->restoreState(settings.value(QLatin1String(key)).toByteArray());
  tabs_->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
  const auto source = [&](const char* key) {
    const int v = settings.value(QLatin1String(key), 0).toInt();
    return v >= 0 && v <= int(ImageSource::Training) ? ImageSource(v)
                                                     : ImageSource::PreferValidation;
  };
  lmhead_->setSource(source("run/imageSource"));
  compare_->setImageSource(source("compare/imageSource"));
  if (!settings.contains(QStringLiteral("window/geometry"))) resize(1400, 900);
}

void MainWindow::saveLayout() const {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  for (const auto& [splitter, key] : kSplitters)
    if (auto* s = findChild<QSplitter*>(QLatin1String(splitter)))
      settings.setValue(QLatin1String(key), s->saveState());
  settings.setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
  settings.setValue(QStringLiteral("run/imageSource"), int(lmhead_->source()));
  settings.setValue(QStringLiteral("compare/imageSource"), int(compare_->imageSource()));
}

MainWindow::~MainWindow() = default;

QWidget* MainWindow::buildStartPage() {
  auto* page = new QWidget;
  auto* l = new QVBoxLayout(page);
  auto* title = new QLabel(
      tr("<h2>DPG Workbench</h2><p>Dataset Policy Gradient trains a generator whose text, used as "
         "training data, draws a chosen image into a target model's LM head. Pick a preset and "
         "press <b>Start</b>: the Run tab shows the image forming. <b>Open in Design</b> lets you "
         "draw your own target or change settings first.</p>"));
  title->setWordWrap(true);
  title->setTextFormat(Qt::RichText);
  l->addWidget(title);
  presets_ = new PresetCards;
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setWidget(presets_);
  l->addWidget(scroll, 1);
  auto* bar = new QHBoxLayout;
  auto* start = new QPushButton(tr("Start"));
  start->setObjectName(QStringLiteral("startPreset"));
  start->setDefault(true);
  start->setToolTip(
      tr("Start a run of the selected preset as it is (F5 starts the Design tab's "
         "setup)"));
  auto* design = new QPushButton(tr("Open in Design"));
  design->setToolTip(tr("Load the selected preset into the Design tab to change it first"));
  auto* hist = new QPushButton(tr("Browse history"));
  bar->addWidget(start);
  bar->addWidget(design);
  bar->addWidget(hist);
  bar->addStretch();
  l->addLayout(bar);
  connect(presets_, &PresetCards::activated, this, [this](const QString& name) {
    usePreset(name);
    tabs_->setCurrentIndex(DesignTab);
  });
  connect(design, &QPushButton::clicked, this, [this] {
    usePreset(presets_->selected());
    tabs_->setCurrentIndex(DesignTab);
  });
  connect(start, &QPushButton::clicked, this, [this] {
    usePreset(presets_->selected());
    startRun();
  });
  connect(hist, &QPushButton::clicked, this, [this] { tabs_->setCurrentIndex(HistoryTab); });
  return page;
}

void MainWindow::usePreset(const QString& name) {
  if (name.isEmpty()) return;
  setup_->loadPreset(name);
  const auto cfg = setup_->config();
  if (designerEdits(cfg.objective.kind)) designer_->setObjectiveParams(cfg.objective.params);
  designer_->undoStack()->clear();  // loading a preset is not an edit
}

void MainWindow::buildMenus() {
  buildFileMenu();
  buildRunMenu();
  buildViewAndHelpMenus();
}

void MainWindow::buildRunMenu() {
  auto* runMenu = menuBar()->addMenu(tr("&Run"));
  start_ = runMenu->addAction(tr("&Start"), this, &MainWindow::startRun);
  start_->setShortcut(Qt::Key_F5);
  pause_ = runMenu->addAction(tr("&Pause"), this, &MainWindow::pauseResume);
  pause_->setShortcut(Qt::Key_F6);
  pause_->setEnabled(false);
  stop_ = runMenu->addAction(tr("S&top"), this, &MainWindow::stopRun);
  stop_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
  stop_->setEnabled(false);
  auto* tb = addToolBar(tr("Run"));
  tb->setObjectName(QStringLiteral("runToolbar"));
  tb->addAction(start_);
  tb->addAction(pause_);
  tb->addAction(stop_);
  start_->setToolTip(tr("Start a run with the current setup (F5)"));
  stop_->setToolTip(tr("Stop the run (Shift+F5); it can be resumed later"));
}

void MainWindow::startRun() {
  auto cfg = setup_->validatedConfig();
  if (!cfg) {
    showError(tr("The run setup is not valid:\n%1").arg(setup_->validationMessage()));
    tabs_->setCurrentIndex(DesignTab);
    return;
  }
  if (designerEdits(cfg->objective.kind) && !designer_->validationMessage().isEmpty() &&
      cfg->objective.params.value("source", std::string()) == "bitmap") {
    showError(designer_->validationMessage());
    return;
  }
  resetRunViews(-1);
  shown_is_live_ = true;
  pending_name_ = qs(cfg->name.empty() ? setup_->presetName().toStdString() : cfg->name);
  run_label_->setText(tr("Starting %1…").arg(pending_name_));
  showTargetOf(*cfg);
  engine_->start(*cfg, setup_->presetName(), db_path_);
  tabs_->setCurrentIndex(RunTab);
}

void MainWindow::stopRun() {
  engine_->stop();
}

void MainWindow::pauseResume() {
  if (engine_->isRunning())
    engine_->pause();
  else if (engine_->runId() >= 0 && engine_->isPaused())
    engine_->resume();
  else if (const auto* r = history_->model()->runById(shown_run_); r && resumable(*r))
    resumeStoredRun(shown_run_);
}

void MainWindow::updateRunActions() {
  const bool running = engine_->isRunning();
  start_->setEnabled(!running);
  stop_->setEnabled(running);
  pause_->setText(running ? tr("&Pause") : tr("&Resume"));
  // Not running, Resume continues the shown run whenever History's Resume would.
  const auto* shown = history_->model()->runById(shown_run_);
  pause_->setEnabled(running || (engine_->runId() >= 0 && engine_->isPaused()) ||
                     (shown && resumable(*shown)));
}

QString MainWindow::runHeader() const {
  return run_label_->text();
}

QString MainWindow::runTitle(qint64 runId, const QString& state) const {
  QString name;
  if (const auto* r = history_->model()->runById(runId))
    name = qs(r->name);
  else if (engine_->runId() == runId)
    name = pending_name_;
  QString title = name.isEmpty() ? tr("Run #%1").arg(runId) : tr("Run #%1 %2").arg(runId).arg(name);
  return state.isEmpty() ? title : tr("%1 (%2)").arg(title, state);
}

void MainWindow::showTargetOf(const config::RunConfig& cfg) {
  if (designerEdits(cfg.objective.kind))
    lmhead_->setTarget(bitmap_target(cfg.objective.params_at(1)));
}

void MainWindow::showTargetOf(const std::string& configJson) {
  try {
    showTargetOf(config::RunConfig::from_json(nlohmann::json::parse(configJson)));
  } catch (const std::exception&) {
    // an unreadable stored config shows Y with the first snapshot
  }
}

void MainWindow::resetRunViews(qint64 runId) {
  shown_run_ = runId;
  shown_is_live_ = false;
  shown_was_running_ = false;
  last_step_ = 0;
  last_snapshot_step_ = -1;
  dashboard_->clear();
  lmhead_->clear();
  samples_->clear();
  if (runId >= 0) run_label_->setText(runTitle(runId, {}));
}

void MainWindow::onStep(const engine::StepRecord& r) {
  if (shown_run_ != engine_->runId()) return;  // the user is looking at another run
  dashboard_->append(r.metrics);
  last_step_ = r.metrics.step;
  ++steps_this_session_;
  if (!r.snapshots.empty()) lmhead_->addSnapshot(snapshot_set(r.metrics.step, r.snapshots));
  if (!r.samples.empty()) samples_->setSamples(r.metrics.step, r.samples);
  run_label_->setText(runTitle(shown_run_, tr("live")));
  updateStatus();
}

MainWindow* MainWindow::openStore(const QString& dbPath) {
  auto* w = new MainWindow(dbPath);
  w->setAttribute(Qt::WA_DeleteOnClose);
  w->setInteractive(interactive_);
  w->show();
  if (!engine_->isRunning()) close();  // a live run keeps its window
  return w;
}

void MainWindow::openRun(qint64 runId) {
  if (engine_->isRunning() && engine_->runId() == runId) {
    tabs_->setCurrentIndex(RunTab);
    return;
  }
  resetRunViews(runId);
  reader_->requestSteps(runId, -1);
  reader_->requestSnapshots(runId, -1);
  if (const auto* r = history_->model()->runById(runId)) {
    run_label_->setText(runTitle(runId, qs(session::status_label(*r))));
    showTargetOf(r->config_json);
    dashboard_->setMetricName(r->metric_name);
    dashboard_->setSchedule(config::schedule_events_of(r->config_json));
    total_steps_ = planned_steps(*r);
  }
  tabs_->setCurrentIndex(RunTab);
}

void MainWindow::pollShownRun() {
  if (shown_run_ < 0 || shown_is_live_) return;
  bool running = false;
  if (const auto* r = history_->model()->runById(shown_run_)) {
    running = r->status == store::RunStatus::Running;
    run_label_->setText(runTitle(shown_run_, qs(session::status_label(*r))));
  }
  // One more read after the run leaves "running": its last steps may have landed just before the
  // status flip.
  const bool fetch = running || shown_was_running_;
  shown_was_running_ = running;
  if (!fetch) return;
  reader_->requestSteps(shown_run_, last_step_);
  reader_->requestSnapshots(shown_run_, last_snapshot_step_);
}

void MainWindow::compareRuns(const QList<qint64>& runIds) {
  compare_->compare(runIds);
  tabs_->setCurrentIndex(CompareTab);
}

RevalidateDialog* MainWindow::revalidateRun(qint64 runId) {
  const auto* r = history_->model()->runById(runId);
  if (!r) return nullptr;
  auto* d = new RevalidateDialog(db_path_, *r, this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  d->show();
  return d;
}

void MainWindow::updateStatus() {
  if (last_step_ <= 0) {
    step_label_->setText(engine_->isRunning() ? tr("starting…") : tr("idle"));
    speed_label_->clear();
    eta_label_->clear();
    return;
  }
  step_label_->setText(total_steps_ > 0 ? tr("step %1 / %2").arg(last_step_).arg(total_steps_)
                                        : tr("step %1").arg(last_step_));
  if (engine_->isRunning() && shown_is_live_ && steps_this_session_ > 0 && clock_.isValid()) {
    const double secs = clock_.elapsed() / 1000.0;
    const double perMin = 60.0 * steps_this_session_ / std::max(1e-3, secs);
    const int threads = engine_->engineThreads();
    const QString rate = QString::number(perMin, 'f', 1);
    speed_label_->setText(threads == 1 ? tr("%1 steps/min, 1 thread").arg(rate)
                                       : tr("%1 steps/min, %2 threads").arg(rate).arg(threads));
    const double left = double(total_steps_ - last_step_) * 60.0 / std::max(1e-6, perMin);
    const int s = int(std::lround(left));
    eta_label_->setText(tr("ETA %1:%2:%3")
                            .arg(s / 3600)
                            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                            .arg(s % 60, 2, 10, QLatin1Char('0')));
  } else {
    speed_label_->clear();
    eta_label_->clear();
  }
}

void MainWindow::showError(const QString& message) {
  last_error_ = message;
  statusBar()->showMessage(message, 10000);
  if (interactive_) QMessageBox::critical(this, tr("DPG Workbench"), message);
}

void MainWindow::loadConfig(const config::RunConfig& cfg) {
  setup_->setConfig(cfg);
  if (designerEdits(cfg.objective.kind)) designer_->setObjectiveParams(cfg.objective.params);
  tabs_->setCurrentIndex(DesignTab);
}

void MainWindow::useRunConfig(qint64 runId) {
  const auto* r = history_->model()->runById(runId);
  if (!r) return;
  try {
    loadConfig(config::RunConfig::from_json(nlohmann::json::parse(r->config_json)));
    statusBar()->showMessage(
        tr("The run setup now holds run #%1's config; Start begins a new run.").arg(runId), 6000);
  } catch (const std::exception& e) {
    showError(tr("Run #%1's stored config cannot be used: %2").arg(runId).arg(qs(e.what())));
  }
}

ContinueDialog* MainWindow::continueRun(qint64 runId) {
  const auto* r = history_->model()->runById(runId);
  if (!r) return nullptr;
  auto* d = new ContinueDialog(*r, this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  connect(d, &QDialog::accepted, this, [this, d, runId] { resumeStoredRun(runId, d->changes()); });
  d->open();
  return d;
}

void MainWindow::resumeStoredRun(qint64 runId, const QStringList& changes) {
  if (engine_->isRunning()) {
    showError(tr("A run is in progress: stop it before resuming another."));
    return;
  }
  // Always from empty views: resuming drops the steps after the newest checkpoint and runs them
  // again, and runStarted then reloads what the store keeps.
  resetRunViews(runId);
  if (const auto* r = history_->model()->runById(runId)) {
    run_label_->setText(tr("Resuming run #%1 %2…").arg(runId).arg(qs(r->name)));
    showTargetOf(r->config_json);
  }
  shown_is_live_ = true;
  engine_->resumeStored(runId, db_path_, changes);
  tabs_->setCurrentIndex(RunTab);
}

void MainWindow::closeEvent(QCloseEvent* e) {
  if (engine_->isRunning() && interactive_) {
    const auto answer = QMessageBox::question(
        this, tr("Quit"), tr("A run is in progress. Stop it and quit? It can be resumed later."));
    if (answer != QMessageBox::Yes) {
      e->ignore();
      return;
    }
  }
  saveLayout();
  engine_->stop();
  e->accept();
}

}  // namespace dpg::ui
