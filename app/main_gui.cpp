// SPDX-License-Identifier: MIT
// dpg-workbench: the GUI entry point.
//   dpg-workbench                          open the workbench on the default run store
//   dpg-workbench --db runs.db             use another store
//   dpg-workbench --run 3                  show stored run 3 in the Run tab
//   dpg-workbench --run 3 --grab out.png   show it, save the window as a PNG once its steps are
//   loaded, quit
#include "core/config/version.h"
#include "ui/main_window.h"
#include "ui/store_reader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {

/// Ends the program with @p code after printing @p message (the --grab path has no one to read a
/// dialog).
void finish(int code, const QString& message) {
  std::fprintf(code == 0 ? stdout : stderr, "dpg-workbench: %s\n", qPrintable(message));
  QCoreApplication::exit(code);
}

/// Shows stored run @p runId once the store's run list has arrived; with @p grab, saves the window
/// as a PNG once the run's steps are loaded and quits (exit 1 when the run is missing or nothing
/// loads in 60 s).
void showRunAtStart(dpg::ui::MainWindow& window, qint64 runId, const QString& grab) {
  auto* reader = window.reader();
  auto* once = new QObject(&window);
  QObject::connect(
      reader, &dpg::ui::StoreReader::runsListed, once,
      [&window, once, runId, grab](const dpg::ui::RunList& runs) {
        delete once;  // only the first list
        const bool found = std::any_of(runs.begin(), runs.end(),
                                       [&](const dpg::store::RunInfo& r) { return r.id == runId; });
        if (!found) {
          if (!grab.isEmpty())
            finish(1, QStringLiteral("no run %1 in %2").arg(runId).arg(window.reader()->path()));
          return;
        }
        window.openRun(runId);
      });
  if (grab.isEmpty()) return;
  QObject::connect(
      reader, &dpg::ui::StoreReader::stepsLoaded, &window, [&window, runId, grab](qint64 id) {
        if (id != runId) return;
        QTimer::singleShot(500, &window, [&window, grab] {  // let the views lay out and paint
          if (!window.grab().save(grab)) return finish(1, QStringLiteral("cannot write ") + grab);
          finish(0, QStringLiteral("wrote ") + grab);
        });
      });
  QTimer::singleShot(60000, &window,
                     [] { finish(1, QStringLiteral("the run's steps did not load in 60 s")); });
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  Q_INIT_RESOURCE(resources);  // resources/resources.qrc lives in the static dpg_ui
  QApplication::setApplicationName(QStringLiteral("DPG Workbench"));
  QApplication::setOrganizationName(QStringLiteral("dpg-workbench"));
  QApplication::setApplicationVersion(QString::fromUtf8(dpg::config::version()));
  QApplication::setDesktopFileName(QStringLiteral(DPG_APP_ID));
  QApplication::setWindowIcon(QIcon::fromTheme(
      QStringLiteral("dpg-workbench"), QIcon(QStringLiteral(":/dpg/icons/dpg-workbench-256.png"))));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Dataset Policy Gradient workbench"));
  cli.addHelpOption();
  cli.addVersionOption();
  QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Run store (SQLite file)."),
                        QStringLiteral("path"));
  QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Show this stored run."),
                         QStringLiteral("id"));
  QCommandLineOption grab(
      QStringLiteral("grab"),
      QStringLiteral("With --run: save the window as a PNG once the run is shown, and quit."),
      QStringLiteral("png"));
  cli.addOptions({db, run, grab});
  cli.process(app);
  if (cli.isSet(grab) && !cli.isSet(run)) {
    std::fprintf(stderr, "dpg-workbench: --grab needs --run\n");
    return 1;
  }

  dpg::ui::MainWindow window(cli.value(db));
  window.show();
  if (cli.isSet(run)) showRunAtStart(window, cli.value(run).toLongLong(), cli.value(grab));
  return QApplication::exec();
}
