// SPDX-License-Identifier: MIT
// dpg-screenshots: PNGs of every main view of the workbench, for the docs (scripts/screenshots.sh).
//   dpg-screenshots --db runs.db --out DIR [--steps N]
// Makes two short runs in the store, grabs each tab and the two History dialogs, and quits.
#include "tools/screenshots/screenshot_tour.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DPG Workbench"));
  QApplication::setOrganizationName(QStringLiteral("dpg-workbench"));
  QApplication::setApplicationVersion(QStringLiteral(DPG_VERSION));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Screenshots of the DPG workbench's views"));
  cli.addHelpOption();
  QCommandLineOption db(QStringLiteral("db"),
                        QStringLiteral("Run store for the tour's runs (SQLite file)."),
                        QStringLiteral("path"));
  QCommandLineOption out(QStringLiteral("out"), QStringLiteral("Folder for the PNGs."),
                         QStringLiteral("dir"));
  QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("GRPO steps of each run."),
                           QStringLiteral("n"), QStringLiteral("16"));
  cli.addOptions({db, out, steps});
  cli.process(app);
  if (!cli.isSet(out)) {
    std::fputs("dpg-screenshots: --out DIR is required\n", stderr);
    return 2;
  }

  dpg::ui::MainWindow window(cli.value(db));
  window.resize(1400, 900);
  window.show();
  auto* tour = new dpg::ui::ScreenshotTour(&window, cli.value(out), cli.value(steps).toInt());
  tour->start();
  return QApplication::exec();
}
