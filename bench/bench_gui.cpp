// SPDX-License-Identifier: MIT
// bench_gui: event-loop responsiveness of the workbench during a tiny run.
//   QT_QPA_PLATFORM=offscreen build/bin/bench_gui [steps=6]
// Shows the main window offscreen, starts a tiny run through the EngineController (the same path as
// F5), and fires a 5 ms QTimer throughout; the lateness of each tick beyond its 5 ms is a stall of
// the GUI thread. Prints percentiles and `RESULT stall_p99_ms=…` (goal: ≤ 50 ms).
#include "core/config/presets.h"
#include "ui/dashboard.h"
#include "ui/engine_controller.h"
#include "ui/main_window.h"
#include "ui/run_setup.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? QByteArray("offscreen")
                                                                  : qgetenv("QT_QPA_PLATFORM"));
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("dpg-workbench-bench"));
  const int steps = argc > 1 ? std::atoi(argv[1]) : 6;
  QTemporaryDir dir;

  dpg::ui::MainWindow w(dir.filePath(QStringLiteral("bench.db")));
  w.setInteractive(false);
  w.resize(1400, 900);
  w.show();
  auto cfg = dpg::config::load_preset(dpg::config::kDefaultPreset);
  cfg.grpo.steps = steps;
  cfg.validation.every = 2;
  cfg.snapshot_every = 1;
  cfg.checkpoint_every = 0;
  w.runSetup()->setConfig(cfg);

  std::vector<double> late_ms;
  QElapsedTimer clock;
  qint64 last = -1;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  tick.setInterval(5);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last >= 0) late_ms.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
    last = now;
  });
  QObject::connect(w.engine(), &dpg::ui::EngineController::runFinished, &app,
                   [&](qint64, const QString& status) {
                     std::printf("run %s after %d steps\n", qPrintable(status),
                                 w.dashboard()->pointCount());
                     app.quit();
                   });
  QTimer::singleShot(0, [&] {
    clock.start();
    tick.start();
    w.startRun();
  });
  QApplication::exec();
  tick.stop();
  if (!w.lastError().isEmpty()) std::printf("engine error: %s\n", qPrintable(w.lastError()));
  if (late_ms.empty()) {
    std::printf("RESULT stall_p99_ms=nan\n");
    return 1;
  }
  std::sort(late_ms.begin(), late_ms.end());
  auto pct = [&](double p) {
    return late_ms[std::min(late_ms.size() - 1, size_t(p * double(late_ms.size())))];
  };
  std::printf("ticks=%zu p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms (lateness beyond 5 ms)\n",
              late_ms.size(), pct(0.5), pct(0.9), pct(0.99), late_ms.back());
  std::printf("RESULT stall_p99_ms=%.2f\n", pct(0.99));
  return 0;
}
