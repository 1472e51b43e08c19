// SPDX-License-Identifier: MIT
#include "tools/screenshots/screenshot_tour.h"

#include "core/config/presets.h"
#include "ui/compare_view.h"
#include "ui/continue_dialog.h"
#include "ui/dashboard.h"
#include "ui/designer/objective_designer.h"
#include "ui/engine_controller.h"
#include "ui/history_browser.h"
#include "ui/main_window.h"
#include "ui/revalidate_dialog.h"
#include "ui/run_setup.h"
#include "ui/run_tour.h"
#include "ui/store_reader.h"

#include <QApplication>
#include <QDir>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

namespace dpg::ui {

ScreenshotTour::ScreenshotTour(MainWindow* window, QString outDir, int steps)
    : QObject(window), w_(window), dir_(std::move(outDir)), steps_(steps) {}

void ScreenshotTour::start() {
  QDir().mkpath(dir_);
  w_->setInteractive(false);
  connect(w_->engine(), &EngineController::runFinished, this,
          [this](qint64 id, const QString& status) {
            std::fprintf(stderr, "screenshots: run %lld %s\n", static_cast<long long>(id),
                         qPrintable(status));
            ids_ << id;
            if (++runs_done_ < 2)
              QTimer::singleShot(200, this, [this] { startRun(1); });
            else
              QTimer::singleShot(1500, this, &ScreenshotTour::grabAll);
          });
  QTimer::singleShot(500, this, [this] {
    grab(MainWindow::StartTab, QStringLiteral("start.png"));
    // The designer with two focused pixels, so the shot shows the focus frames and weights.
    w_->designer()->setObjectiveParams({{"source", "67"}, {"focus", {{2, 2, 5.0}, {3, 5, 5.0}}}});
    grab(MainWindow::DesignTab, QStringLiteral("design.png"));
    startRun(0);
  });
}

nlohmann::json ScreenshotTour::tourStages() const {
  return nlohmann::json::array(
      {{{"from_step", steps_ / 2 + 1}, {"params", {{"focus", {{2, 2, 5.0}, {3, 5, 5.0}}}}}}});
}

void ScreenshotTour::startRun(int index) {
  auto cfg = config::load_preset(config::kDefaultPreset);
  // The same run with sequence and with token credit: the comparison's config diff is the credit,
  // and the Samples shot (of the second run) shows the per-byte credit.
  cfg.name = index == 0 ? "67 sequence credit" : "67 token credit";
  cfg.grpo.credit = index == 0 ? config::Credit::Sequence : config::Credit::Token;
  cfg.grpo.steps = steps_;
  cfg.validation.every = 4;
  cfg.snapshot_every = 2;
  cfg.checkpoint_every = 0;
  // Both runs share a schedule, so the Run shot shows its marks and the comparison's diff stays the
  // credit: a two-pixel focus from halfway, and a lower generator lr for the last quarter.
  cfg.objective.stages = tourStages();
  cfg.grpo.lr_drop_step = steps_ * 3 / 4;
  cfg.grpo.lr_after_drop = 1e-4;
  w_->runSetup()->setConfig(cfg);
  w_->startRun();
}

void ScreenshotTour::grab(int tab, const QString& file) {
  w_->tabs()->setCurrentIndex(tab);
  QApplication::processEvents();
  const QString path = dir_ + QLatin1Char('/') + file;
  w_->grab().save(path, "PNG");
  std::fprintf(stderr, "screenshots: wrote %s\n", qPrintable(path));
}

void ScreenshotTour::grabAll() {
  // The tour of the Run view opened by itself with the first run; the Run shot is taken without it.
  if (w_->tour()) w_->tour()->finish();
  // The hover readout at three quarters of the run, as if the mouse rested there.
  w_->dashboard()->showStep(steps_ * 3 / 4);
  grab(MainWindow::RunTab, QStringLiteral("run.png"));
  // The tour at its third stop, the heatmap.
  auto* tour = w_->startTour();
  tour->next();
  tour->next();
  grab(MainWindow::RunTab, QStringLiteral("tour.png"));
  tour->finish();
  grab(MainWindow::SamplesTab, QStringLiteral("samples.png"));
  // History with a tag and a pin, so its shot shows them.
  w_->reader()->requestTags(ids_.front(), QStringLiteral("baseline, sequence"));
  w_->reader()->requestPinned(ids_.back(), true);
  w_->history()->refresh();
  QTimer::singleShot(1200, this, [this] {
    w_->history()->selectRuns(ids_);
    grab(MainWindow::HistoryTab, QStringLiteral("history.png"));
    w_->compareRuns(ids_);
    QTimer::singleShot(1500, this, [this] {
      grab(MainWindow::CompareTab, QStringLiteral("compare.png"));
      grabRevalidate();
    });
  });
}

void ScreenshotTour::grabRevalidate() {
  // The re-validation dialog of the first run, with six repeats, once its result is in.
  auto* d = w_->revalidateRun(ids_.front());
  if (!d) {
    qApp->quit();
    return;
  }
  d->findChild<QSpinBox*>(QStringLiteral("repeats"))->setValue(6);
  d->start();
  auto* poll = new QTimer(this);
  connect(poll, &QTimer::timeout, this, [this, d, poll] {
    if (d->isBusy()) return;
    poll->stop();
    QTimer::singleShot(300, this, [this, d] {
      const QString path = dir_ + QStringLiteral("/revalidate.png");
      d->grab().save(path, "PNG");
      std::fprintf(stderr, "screenshots: wrote %s\n", qPrintable(path));
      d->close();
      grabContinue();
    });
  });
  poll->start(200);
}

void ScreenshotTour::grabContinue() {
  // The Continue dialog of the first (finished) run, asked for a second objective stage that begins
  // after its last step (the run's own stage stays as it was, or the dialog would refuse the
  // change).
  auto* d = w_->continueRun(ids_.front());
  if (!d) {
    qApp->quit();
    return;
  }
  auto stages = tourStages();
  stages.push_back({{"from_step", d->stepsBox()->minimum()},
                    {"params", {{"focus", {{0, 5, 3.0}, {0, 3, 3.0}}}}}});
  d->changesBox()->setPlainText(QStringLiteral("objective.stages=") +
                                QString::fromStdString(stages.dump()));
  QTimer::singleShot(300, this, [this, d] {
    const QString path = dir_ + QStringLiteral("/continue.png");
    d->grab().save(path, "PNG");
    std::fprintf(stderr, "screenshots: wrote %s\n", qPrintable(path));
    d->reject();
    qApp->quit();
  });
}

}  // namespace dpg::ui
