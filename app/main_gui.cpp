// SPDX-License-Identifier: MIT
// dpg-workbench: the GUI entry point.
//   dpg-workbench                          open the workbench on the default run store
//   dpg-workbench --db runs.db             use another store
//   dpg-workbench --screenshots DIR        (scripts/screenshots.sh) two short runs, PNG of each view
#include "ui/main_window.h"
#include "ui/screenshot_tour.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("DPG Workbench"));
  QApplication::setOrganizationName(QStringLiteral("dpg-workbench"));
  QApplication::setApplicationVersion(QStringLiteral(DPG_VERSION));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Dataset Policy Gradient workbench"));
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Run store (SQLite file)."), QStringLiteral("path"));
  QCommandLineOption shots(QStringLiteral("screenshots"), QStringLiteral("Make screenshots into a folder and quit."),
                           QStringLiteral("dir"));
  QCommandLineOption steps(QStringLiteral("screenshot-steps"), QStringLiteral("Steps per screenshot run."),
                           QStringLiteral("n"), QStringLiteral("16"));
  cli.addOptions({db, shots, steps});
  cli.process(app);

  dpg::ui::MainWindow window(cli.value(db));
  if (cli.isSet(shots)) {
    window.resize(1400, 900);
    window.show();
    auto* tour = new dpg::ui::ScreenshotTour(&window, cli.value(shots), cli.value(steps).toInt());
    tour->start();
  } else {
    window.show();
  }
  return QApplication::exec();
}
