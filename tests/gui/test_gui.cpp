// SPDX-License-Identifier: MIT
// The workbench's main window, offscreen (QT_QPA_PLATFORM=offscreen):
//   ctest -R '^gui$' --output-on-failure        or        build/bin/test_gui <function>
// A tiny live run fills the dashboard and the heatmap, history survives a restart, compare shows 2
// runs, a stopped run resumes from History, a CLI run is watched live, one killed with kill -9
// resumes from History, and an engine error marks the run failed. The widgets one at a time are in
// tests/widgets.
#include "core/config/presets.h"
#include "tests/common/test_paths.h"
#include "ui/compare_view.h"
#include "ui/continue_dialog.h"
#include "ui/dashboard.h"
#include "ui/engine_controller.h"
#include "ui/history_browser.h"
#include "ui/lmhead_view.h"
#include "ui/main_window.h"
#include "ui/revalidate_dialog.h"
#include "ui/run_setup.h"
#include "ui/run_tour.h"
#include "ui/samples_view.h"
#include "ui/store_reader.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace dpg::ui;

namespace {

/// A short run of the default preset: tiny models, few steps, validated and snapshotted every step.
dpg::config::RunConfig tinyConfig(int steps, uint64_t seed) {
  auto cfg = dpg::config::load_preset(dpg::config::kDefaultPreset);
  cfg.apply_override("grpo.steps=" + std::to_string(steps));
  cfg.apply_override("validation.every=1");
  cfg.apply_override("snapshot_every=1");
  cfg.apply_override("checkpoint_every=0");
  cfg.seed = seed;
  cfg.name = "gui test " + std::to_string(seed);
  return cfg;
}

}  // namespace

class TestGui : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("dpg-workbench-tests"));
    QVERIFY(db_dir_.isValid());
  }

  void live_run_updates_dashboard_and_heatmap() {
    QList<qint64> ids;
    makeTwoRuns(db_dir_.filePath(QStringLiteral("live.db")), &ids);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(ids.size(), 2);
  }

  void history_after_restart_and_compare() {
    const QString db = db_dir_.filePath(QStringLiteral("history.db"));
    QList<qint64> ids;
    makeTwoRuns(db, &ids);
    if (QTest::currentTestFailed()) return;
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    auto* model = w.history()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 2, 10000);
    QVERIFY(model->runs()[0].status == dpg::store::RunStatus::Done);
    QVERIFY(model->runs()[1].status == dpg::store::RunStatus::Stopped);
    // Each run's newest sign image as its thumbnail (validated every step: the validation's).
    for (qint64 id : ids) QTRY_VERIFY_WITH_TIMEOUT(!model->thumbnail(id).isNull(), 10000);
    QVERIFY(model->data(model->index(0, dpg::ui::RunsModel::Image), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("validation")));
    {
      const auto tip =
          model->data(model->index(0, dpg::ui::RunsModel::BestMetric), Qt::ToolTipRole).toString();
      QVERIFY2(tip.startsWith(QStringLiteral("Best validation pixel accuracy: ")), qPrintable(tip));
    }
    w.history()->selectRuns(ids);
    QCOMPARE(w.history()->selectedRunIds().size(), 2);
    w.compareRuns(ids);
    QTRY_COMPARE_WITH_TIMEOUT(w.compareView()->runCount(), 2, 10000);
    QCOMPARE(w.compareView()->curveCount(), 2);
    QCOMPARE(w.compareView()->curveName(), QStringLiteral("Pixel accuracy (train)"));
    QVERIFY(w.compareView()->diffRows() >= 2);  // name, seed, steps differ
    // Each run's newest sign image (here a validation's: validation.every = 1) is counted against
    // Y, which the store holds once, at step 1; counted again here straight from the stored
    // snapshots. Then the same with "Training runs only": each run's newest training-run sign
    // image.
    auto st = dpg::store::RunStore::open(db.toStdString(), true);
    const auto checkWrongPixels = [&](const std::string& kind) {
      const auto wrong = w.compareView()->wrongPixels();
      size_t longest =
          0;  // the finished run has a snapshot after step 1, so Y comes from another step there
      for (size_t k = 0; k < ids.size(); ++k) {
        const auto steps = st.snapshot_steps(ids[int(k)]);
        QVERIFY(!steps.empty());
        longest = std::max(longest, steps.size());
        dpg::engine::Image y, sign;
        for (const auto& snap : st.snapshots(ids[int(k)], steps.front()))
          if (snap.kind == "target") y = snap.image;
        for (auto it = steps.rbegin(); it != steps.rend() && sign.empty(); ++it)
          for (const auto& snap : st.snapshots(ids[int(k)], *it))
            if (snap.kind == kind) sign = snap.image;
        QCOMPARE(int(y.data.size()), 42);
        QCOMPARE(int(sign.data.size()), 42);
        int expected = 0;
        for (size_t p = 0; p < 42; ++p)
          expected += (sign.data[p] > 0) != (y.data[p] > 0) || sign.data[p] == 0.0f;
        QCOMPARE(wrong[k], expected);
      }
      QVERIFY(longest >= 2);
    };
    QVERIFY(w.compareView()->imageSource() == dpg::ui::ImageSource::PreferValidation);
    QVERIFY(w.compareView()->shownValidation() == std::vector<bool>(2, true));
    checkWrongPixels("val_sign");
    if (QTest::currentTestFailed()) return;
    w.compareView()->setImageSource(dpg::ui::ImageSource::Training);
    QTRY_VERIFY_WITH_TIMEOUT(w.compareView()->shownValidation() == std::vector<bool>(2, false),
                             10000);
    checkWrongPixels("sign");
    if (QTest::currentTestFailed()) return;
    // Re-validating the finished run's last checkpoint with its own settings repeats its stored
    // validation.
    {
      auto* d = w.revalidateRun(ids[0]);
      QVERIFY(d);
      // The step list offers exactly the steps with a stored checkpoint, and keeps the best step
      // selected.
      QTRY_VERIFY_WITH_TIMEOUT(!d->isLoadingCheckpoints(), 10000);
      {
        auto st = dpg::store::RunStore::open(db.toStdString(), true);
        QList<qint64> expected;
        for (const auto& ck : st.checkpoints(ids[0])) expected << ck.step;
        std::sort(expected.begin(), expected.end());
        QVERIFY(!expected.isEmpty());
        QCOMPARE(d->checkpointSteps(), expected);
      }
      d->start();
      QVERIFY(d->isBusy());
      QTRY_VERIFY_WITH_TIMEOUT(!d->isBusy(), 300000);
      QVERIFY2(d->summary().contains(
                   QStringLiteral("The run's own validation of this step: pixel accuracy")) &&
                   d->summary().contains(QStringLiteral("Mean pixel accuracy")),
               qPrintable(d->summary()));
      auto st = dpg::store::RunStore::open(db.toStdString(), true);
      const auto steps = st.steps(ids[0]);
      QCOMPARE(QString::number(d->meanMetric(), 'f', 6),
               QString::number(steps.back().val_metric, 'f', 6));
      d->close();
    }
    // Opening a stored run loads its curves and images.
    w.dashboard()->setMetricName({});
    QCOMPARE(w.dashboard()->metricTitle(), QStringLiteral("Readable metric"));
    w.openRun(ids[0]);
    QTRY_COMPARE_WITH_TIMEOUT(w.dashboard()->pointCount(), 3, 10000);
    QCOMPARE(w.dashboard()->metricTitle(),
             QStringLiteral("Pixel accuracy"));  // from the stored run
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 10000);

    // File › Export › Samples writes the shown run's samples as JSON Lines, one a line, from the
    // store reader's thread; each line matches the stored sample. A path that cannot be written
    // gives an error message.
    {
      QSignalSpy done(w.reader(), &dpg::ui::StoreReader::samplesExported);
      const QString path = db_dir_.filePath(QStringLiteral("samples.jsonl"));
      w.exportSamplesTo(path);
      QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
      auto st = dpg::store::RunStore::open(db.toStdString(), true);
      std::vector<dpg::engine::Sample> stored;
      std::vector<int64_t> storedSteps;
      for (const auto& m : st.steps(ids[0]))
        for (auto& smp : st.samples(ids[0], m.step)) {
          stored.push_back(std::move(smp));
          storedSteps.push_back(m.step);
        }
      QVERIFY(!stored.empty());
      QCOMPARE(done.front().at(2).toLongLong(), qint64(stored.size()));
      QFile f(path);
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QList<QByteArray> lines = f.readAll().split('\n');
      QCOMPARE(lines.size(), int(stored.size()) + 1);  // the last line ends with '\n'
      for (size_t k = 0; k < stored.size(); ++k) {
        const auto j = nlohmann::json::parse(lines[int(k)].toStdString());
        QCOMPARE(j.at("step").get<int64_t>(), storedSteps[k]);
        QCOMPARE(j.at("index").get<int64_t>(), int64_t(stored[k].index));
        QCOMPARE(j.at("tau").get<double>(), stored[k].tau);
        QCOMPARE(j.at("advantage").get<double>(), stored[k].advantage);
        if (!j.contains("response_bytes"))
          QCOMPARE(j.at("response").get<std::string>(), stored[k].response);
      }
      w.exportSamplesTo(db_dir_.filePath(QStringLiteral("no-such-dir/samples.jsonl")));
      QTRY_VERIFY_WITH_TIMEOUT(
          w.lastError().startsWith(QStringLiteral("Could not export the samples: ")), 10000);
      QVERIFY2(w.lastError().contains(QStringLiteral("no-such-dir")), qPrintable(w.lastError()));
    }
  }

  /// History › Resume continues the stopped run in this window's engine (a new window, so the
  /// engine has never seen it) from its checkpoint and shows it live; a finished run cannot be
  /// resumed. History › Use Config puts a stored run's config into the run setup. History ›
  /// Continue… runs the finished run on by a step.
  void history_resumes_a_stopped_run_and_reuses_a_config() {
    const QString db = db_dir_.filePath(QStringLiteral("resume.db"));
    QList<qint64> ids;
    makeTwoRuns(db, &ids);
    if (QTest::currentTestFailed()) return;
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    QTRY_VERIFY_WITH_TIMEOUT(w.history()->model()->rowCount() == 2, 10000);
    const auto button = [&](const QString& text) {
      for (auto* b : w.history()->findChildren<QPushButton*>())
        if (b->text() == text) return b;
      return static_cast<QPushButton*>(nullptr);
    };
    QVERIFY(button(QStringLiteral("Resume")) && button(QStringLiteral("Use Config")));
    w.history()->selectRuns({ids[0]});  // done
    QVERIFY(!button(QStringLiteral("Resume"))->isEnabled());
    QVERIFY(button(QStringLiteral("Use Config"))->isEnabled());
    w.history()->selectRuns({ids[1]});  // stopped
    QVERIFY(button(QStringLiteral("Resume"))->isEnabled());

    auto st = dpg::store::RunStore::open(db.toStdString(), true);
    const int64_t before = st.steps(ids[1]).back().step;
    QSignalSpy started(w.engine(), &dpg::ui::EngineController::runStarted);
    button(QStringLiteral("Resume"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 60000);
    QCOMPARE(started.front().at(0).toLongLong(), ids[1]);
    const qint64 first = started.front().at(1).toLongLong();
    QVERIFY2(first >= 2 && first <= before + 1,
             qPrintable(QStringLiteral("first %1, stored %2").arg(first).arg(before)));
    QCOMPARE(w.shownRun(), ids[1]);
    // The steps before the resumed one come back from the store; the new ones arrive live, in
    // order.
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= int(first) || !w.lastError().isEmpty(),
                             300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    // The Run tab's header names the run.
    QVERIFY2(w.runHeader().contains(QStringLiteral("gui test 7")), qPrintable(w.runHeader()));
    w.stopRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    // After Stop the toolbar's Resume is enabled exactly when History's is.
    w.history()->selectRuns({ids[1]});
    QTRY_VERIFY_WITH_TIMEOUT(button(QStringLiteral("Resume"))->isEnabled(), 10000);
    QVERIFY(w.pauseAction()->isEnabled());
    QCOMPARE(w.pauseAction()->text(), QStringLiteral("&Resume"));
    const auto steps = st.steps(ids[1]);
    QVERIFY(steps.back().step >= first);
    for (size_t k = 0; k < steps.size(); ++k)
      QCOMPARE(steps[k].step, int64_t(k + 1));  // no gap, no repeat
    QCOMPARE(w.dashboard()->pointCount(), int(steps.size()));

    // Use Config: the run setup now holds the finished run's stored config.
    w.history()->selectRuns({ids[0]});
    button(QStringLiteral("Use Config"))->click();
    const auto stored = nlohmann::json::parse(st.run(ids[0])->config_json);
    QCOMPARE(w.runSetup()->config().to_json(), stored);
    QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::DesignTab));

    // Continue…: the finished run goes on by one step in the same store, shown live, and finishes
    // again.
    QVERIFY(button(QStringLiteral("Continue…"))->isEnabled());
    const int64_t made = st.steps(ids[0]).back().step;
    auto* dialog = w.continueRun(ids[0]);
    QVERIFY(dialog);
    dialog->stepsBox()->setValue(int(made + 1));
    QSignalSpy finished(w.engine(), &dpg::ui::EngineController::runFinished);
    dialog->okButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QCOMPARE(st.steps(ids[0]).back().step, made + 1);
    QVERIFY(st.run(ids[0])->status == dpg::store::RunStatus::Done);
    QCOMPARE(nlohmann::json::parse(st.run(ids[0])->config_json)["grpo"]["steps"].get<int64_t>(),
             made + 1);
    QTRY_COMPARE_WITH_TIMEOUT(w.dashboard()->pointCount(), int(made + 1), 10000);
  }

  /// The resource guard in the workbench: Start with settings far beyond this machine's memory
  /// shows the refusal, with the numbers and what to lower, and stores no run.
  void refuses_a_run_that_does_not_fit_in_memory() {
    const QString db = db_dir_.filePath(QStringLiteral("memory.db"));
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    auto cfg = dpg::config::load_preset("67-tiny");
    cfg.grpo.prompts_per_step = 200000;  // 800 000 rollouts a step
    cfg.grpo.minibatch_prompts = 200000;
    w.runSetup()->setConfig(cfg);
    QSignalSpy finished(w.engine(), &dpg::ui::EngineController::runFinished);
    w.startRun();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    const QString error = w.lastError();
    QVERIFY2(error.contains(QStringLiteral("GiB of memory")) &&
                 error.contains(QStringLiteral("is available")),
             qPrintable(error));
    QCOMPARE(finished.front().at(1).toString(), QStringLiteral("failed"));
    QVERIFY(!w.engine()->isRunning());
    if (QFile::exists(db))
      QVERIFY(dpg::store::RunStore::open(db.toStdString(), true).list_runs().empty());
  }

  /// A run started from a terminal with `dpg run` shows up in History as running, and opening it
  /// follows its curves, LM-head images and samples live from the store while the CLI process keeps
  /// writing.
  void watches_a_cli_run_live() {
    const QString db = db_dir_.filePath(QStringLiteral("cli.db"));
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(dpg::test::bin_dir() + QStringLiteral("/dpg"),
              {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny"),
               QStringLiteral("--set"), QStringLiteral("grpo.steps=10"), QStringLiteral("--set"),
               QStringLiteral("grpo.prompts_per_step=4"), QStringLiteral("--set"),
               QStringLiteral("grpo.minibatch_prompts=4"), QStringLiteral("--set"),
               QStringLiteral("validation.every=1"), QStringLiteral("--set"),
               QStringLiteral("snapshot_every=1"), QStringLiteral("--set"),
               QStringLiteral("name=from the terminal"), QStringLiteral("--db"), db,
               QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY(cli.waitForStarted(10000));
    MainWindow w(db);
    w.setInteractive(false);
    w.resize(1300, 850);
    w.show();
    auto* model = w.history()->model();
    auto cliFailed = [&cli] { return cli.state() == QProcess::NotRunning && cli.exitCode() != 0; };
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 || cliFailed(), 120000);
    QVERIFY2(!cliFailed(), cli.readAll().constData());
    QTRY_VERIFY_WITH_TIMEOUT(model->runs()[0].status == dpg::store::RunStatus::Running, 120000);
    QCOMPARE(QString::fromStdString(model->runs()[0].name), QStringLiteral("from the terminal"));
    const qint64 id = model->runs()[0].id;
    w.openRun(id);
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1, 120000);
    const int first = w.dashboard()->pointCount();
    QVERIFY2(cli.state() == QProcess::Running,
             "the CLI run finished before the window could follow it");
    // Points keep arriving while the CLI writes: the window follows the store, not a snapshot of
    // it.
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() > first, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(w.samples()->rowCount() > 0, 60000);
    QVERIFY(cli.waitForFinished(300000));
    QVERIFY2(cli.exitCode() == 0, cli.readAll().constData());
    QTRY_COMPARE_WITH_TIMEOUT(w.dashboard()->pointCount(), 10, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(model->runs()[0].status == dpg::store::RunStatus::Done, 10000);
  }

  /// A CLI run killed with kill -9 stays "running" in the store; History tells it from a live one
  /// by its lease, shows it as interrupted, and Resume runs it to its end in this window's engine.
  void resumes_a_run_killed_in_a_terminal() {
    const QString db = db_dir_.filePath(QStringLiteral("killed.db"));
    QProcess cli;
    cli.start(dpg::test::bin_dir() + QStringLiteral("/dpg"),
              {QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny"),
               QStringLiteral("--set"), QStringLiteral("grpo.steps=30"), QStringLiteral("--set"),
               QStringLiteral("grpo.prompts_per_step=4"), QStringLiteral("--set"),
               QStringLiteral("grpo.minibatch_prompts=4"), QStringLiteral("--set"),
               QStringLiteral("checkpoint_every=2"), QStringLiteral("--db"), db,
               QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY(cli.waitForStarted(10000));
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    auto* model = w.history()->model();
    const auto button = [&](const QString& text) {
      for (auto* b : w.history()->findChildren<QPushButton*>())
        if (b->text() == text) return b;
      return static_cast<QPushButton*>(nullptr);
    };
    const auto status = [&] {
      return model->data(model->index(0, RunsModel::Status), Qt::DisplayRole).toString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1 && model->runs()[0].last_step.value_or(0) >= 3,
                             120000);
    QVERIFY2(cli.state() == QProcess::Running, "the CLI run finished before it could be killed");
    const qint64 id = model->runs()[0].id;
    w.history()->selectRuns({id});
    QCOMPARE(status(),
             QStringLiteral("running"));  // live in the CLI: not for this window to resume
    QVERIFY(!button(QStringLiteral("Resume"))->isEnabled());
    QVERIFY(!button(QStringLiteral("Continue…"))->isEnabled());
    QVERIFY(!button(QStringLiteral("Delete…"))->isEnabled());
    // Had the button been pressed just before the CLI claimed the run, the store's thread refuses
    // it all the same.
    w.reader()->requestDelete(id);
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastError().isEmpty(), 10000);
    QVERIFY2(w.lastError().startsWith(
                 QStringLiteral("Could not delete run #%1: run %1 is being run by process %2")
                     .arg(id)
                     .arg(cli.processId())),
             qPrintable(w.lastError()));
    QCOMPARE(dpg::store::RunStore::open(db.toStdString(), true).list_runs().size(), size_t(1));

    cli.kill();
    QVERIFY(cli.waitForFinished(10000));
    QTRY_COMPARE_WITH_TIMEOUT(status(), QStringLiteral("interrupted"), 30000);
    QCOMPARE(model->runs()[0].status, dpg::store::RunStatus::Running);  // what the store still says
    QVERIFY(model->data(model->index(0, RunsModel::Status), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("killed or crashed")));
    w.history()->selectRuns({id});
    QVERIFY(button(QStringLiteral("Resume"))->isEnabled());
    QSignalSpy finished(w.engine(), &dpg::ui::EngineController::runFinished);
    const QString refused = w.lastError();
    button(QStringLiteral("Resume"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);
    QCOMPARE(w.lastError(), refused);  // no new error
    auto st = dpg::store::RunStore::open(db.toStdString(), true);
    QCOMPARE(st.run(id)->status, dpg::store::RunStatus::Done);
    const auto steps = st.steps(id);
    QCOMPARE(steps.size(), size_t(30));
    for (size_t k = 0; k < steps.size(); ++k)
      QCOMPARE(steps[k].step, int64_t(k + 1));  // no gap, no repeat
  }

  /// An engine error (here a diverging inner lr: non-finite loss) reaches the window as a message,
  /// the worker stops, the app keeps running, and the store marks the run failed with the reason.
  void engine_error_marks_run_failed() {
    const QString db = db_dir_.filePath(QStringLiteral("fail.db"));
    MainWindow w(db);
    w.setInteractive(false);
    w.show();
    auto cfg = tinyConfig(3, 1);
    cfg.apply_override("inner.lr=1e30");
    w.runSetup()->setConfig(cfg);
    w.startRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.lastError().isEmpty(), 300000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    qInfo("engine error shown: %s", qPrintable(w.lastError()));
    auto* model = w.history()->model();
    QTRY_VERIFY_WITH_TIMEOUT(
        model->rowCount() == 1 && model->runs()[0].status == dpg::store::RunStatus::Failed, 10000);
    QVERIFY(!model->runs()[0].status_message.empty());
  }

 private:
  /// Two runs of the default preset made from a window as a user makes them, into @p db: a 3-step
  /// run that finishes (checked as it runs: the dashboard, the heatmap, the samples and the
  /// engine's threads), then a 40-step one stopped after its first step. @p ids gets their ids in
  /// that order. Every test that reads stored runs makes its own, so each test also passes or fails
  /// when run alone.
  void makeTwoRuns(const QString& db, QList<qint64>* ids) {
    QSettings().remove(QStringLiteral("tour/runViewShown"));  // a new user's first run
    MainWindow w(db);
    w.setInteractive(false);
    w.resize(1300, 850);
    w.show();
    auto first = tinyConfig(3, 0);
    first.threads = 3;  // an unusual count, so the check below cannot pass by the default
    w.runSetup()->setConfig(first);
    w.startRun();
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1 || !w.lastError().isEmpty(), 300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    // The first run brings the guided tour of the Run view, once.
    QVERIFY(w.tour() && w.tour()->isVisible());
    w.tour()->finish();
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->plottedPoints() >= 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(w.lmHead()->heatmapCells() > 0, 300000);
    QTRY_VERIFY_WITH_TIMEOUT(w.samples()->rowCount() > 0, 300000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 600000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QCOMPARE(w.dashboard()->pointCount(), 3);
    QCOMPARE(w.engine()->engineThreads(),
             3);  // the engine ran with the config's threads (the sums depend on it)
    QCOMPARE(w.dashboard()->metricTitle(),
             QStringLiteral("Pixel accuracy"));  // the objective's metric
    QVERIFY(w.lmHead()->snapshotCount() >= 1);
    *ids << w.engine()->runId();

    // A second, different run for the history and compare tests; stop it early.
    w.runSetup()->setConfig(tinyConfig(40, 7));
    w.startRun();
    QTRY_VERIFY_WITH_TIMEOUT(w.dashboard()->pointCount() >= 1 || !w.lastError().isEmpty(), 300000);
    QVERIFY2(w.lastError().isEmpty(), qPrintable(w.lastError()));
    QVERIFY(!w.tour());  // not again
    QCOMPARE(w.engine()->engineThreads(),
             std::max(1, QThread::idealThreadCount() - 1));  // 0: a core for the GUI
    QElapsedTimer t;
    t.start();
    w.stopRun();
    QTRY_VERIFY_WITH_TIMEOUT(!w.engine()->isRunning(), 60000);
    qInfo("stop took %lld ms", static_cast<long long>(t.elapsed()));
    QVERIFY(t.elapsed() < 15000);
    *ids << w.engine()->runId();
  }

  QTemporaryDir db_dir_;
};

QTEST_MAIN(TestGui)
#include "test_gui.moc"
