// SPDX-License-Identifier: MIT
// End to end through the dpg binary: a seeded tiny run (Φ rises above its start; the database
// holds every step with samples and snapshots), export, continuing a finished run, a run killed
// with kill -9 and resumed, a QR run that reports whether its sign images scan, and one-line errors
// with a non-zero exit.
#include "core/objective/bitmap.h"
#include "core/store/run_store.h"
#include "tests/common/test_paths.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>

namespace {

struct Result {
  int code;
  QString out, err;
};

Result run_dpg(const QStringList& args, int timeout_ms = 600000, const QString& cwd = {}) {
  QProcess p;
  if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
  p.start(dpg::test::bin_dir() + QStringLiteral("/dpg"), args);
  if (!p.waitForFinished(timeout_ms)) qFatal("dpg did not finish");
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

/// The "mean" row of `dpg eval`: {phi_val, metric}.
QPair<double, double> evalMean(const QString& out) {
  for (const auto& line : out.split(QLatin1Char('\n'))) {
    const auto f = line.simplified().split(QLatin1Char(' '));
    if (f.size() >= 3 && f[0] == QStringLiteral("mean")) return {f[1].toDouble(), f[2].toDouble()};
  }
  return {std::nan(""), std::nan("")};
}

/// `dpg eval` of the last checkpoint repeats the run's own validation of that step exactly (every
/// sample stream is seeded from seed and step); more repeats add rows after repeat 0; only
/// validation.* may change.
void checkEval(const QString& db, int64_t id, const dpg::engine::StepMetrics& last) {
  const QStringList base{QStringLiteral("eval"),   QString::number(id),
                         QStringLiteral("--db"),   db,
                         QStringLiteral("--step"), QString::number(last.step)};
  auto e = run_dpg(base);
  QVERIFY2(e.code == 0, qPrintable(e.err));
  QVERIFY2(e.err.contains(QStringLiteral(", 1 thread\n")),
           qPrintable(e.err));  // the run's own (threads=1)
  const auto mean = evalMean(e.out);
  QCOMPARE(QString::number(mean.first, 'f', 6), QString::number(last.val_Phi, 'f', 6));
  QCOMPARE(QString::number(mean.second, 'f', 4), QString::number(last.val_metric, 'f', 4));

  auto e3 =
      run_dpg(base + QStringList{QStringLiteral("--set"), QStringLiteral("validation.repeats=3")});
  QVERIFY2(e3.code == 0, qPrintable(e3.err));
  QVERIFY2(
      e3.out.contains(QStringLiteral("\n     2 ")) && !e3.out.contains(QStringLiteral("\n     3 ")),
      qPrintable(e3.out));
  const auto row0 = [](const QString& out) {
    for (const auto& line : out.split(QLatin1Char('\n')))
      if (line.simplified().startsWith(QStringLiteral("0 "))) return line.simplified();
    return QString();
  };
  QCOMPARE(row0(e3.out), row0(e.out));  // repeat 0 is the single validation's stream

  // --pixels: one hit rate per pixel of the 6 × 7 "67", each 0 or 100 with one repeat, with Y's
  // sign; the pixels that hit make up that repeat's metric.
  auto px = run_dpg(base + QStringList{QStringLiteral("--pixels"), QStringLiteral("--set"),
                                       QStringLiteral("validation.repeats=1")});
  QVERIFY2(px.code == 0, qPrintable(px.err));
  const auto grid =
      px.out.section(QStringLiteral("pixel hit rate over 1 repeats, % (Y sign):\n"), 1)
          .trimmed()
          .split(QLatin1Char('\n'));
  QVERIFY2(grid.size() >= 6, qPrintable(px.out));
  int hits = 0;
  for (int r = 0; r < 6; ++r) {
    const auto cells = grid[r].simplified().split(QLatin1Char(' '));
    QCOMPARE(cells.size(), 7);
    for (const auto& cell : cells) {
      QVERIFY2(cell == QStringLiteral("100+") || cell == QStringLiteral("100-") ||
                   cell == QStringLiteral("0+") || cell == QStringLiteral("0-"),
               qPrintable(cell));
      hits += cell.startsWith(QStringLiteral("100")) ? 1 : 0;
    }
  }
  QCOMPARE(QString::number(hits / 42.0, 'f', 4), QString::number(evalMean(px.out).second, 'f', 4));
  QVERIFY2(px.out.contains(
               QStringLiteral("all 42 pixels right in %1 of 1 repeats").arg(hits == 42 ? 1 : 0)),
           qPrintable(px.out));

  // --png: each repeat's sign image and Y; repeat 0 is the stored validation's sign image of that
  // step.
  {
    QTemporaryDir out;
    auto png =
        run_dpg(base + QStringList{QStringLiteral("--png"), out.path(), QStringLiteral("--scale"),
                                   QStringLiteral("1"), QStringLiteral("--set"),
                                   QStringLiteral("validation.repeats=2")});
    QVERIFY2(png.code == 0, qPrintable(png.err));
    const QString stem = out.filePath(
        QStringLiteral("val_sign-step%1-repeat").arg(last.step, 5, 10, QLatin1Char('0')));
    QVERIFY(QFile::exists(out.filePath(QStringLiteral("target.png"))));
    QVERIFY(QFile::exists(stem + QStringLiteral("01.png")));
    auto st = dpg::store::RunStore::open(db.toStdString(), true);
    dpg::engine::Image stored;
    for (const auto& snap : st.snapshots(id, last.step))
      if (snap.kind == "val_sign") stored = snap.image;
    QVERIFY2(!stored.empty(), "the last step stores its validation's sign image");
    const auto written = dpg::objective::read_png((stem + QStringLiteral("00.png")).toStdString());
    QVERIFY(written == dpg::objective::Bitmap::from_image(stored).with_border(1));
    const auto y =
        dpg::objective::read_png(out.filePath(QStringLiteral("target.png")).toStdString());
    QVERIFY(y == dpg::objective::sixty_seven().with_border(1));
  }

  auto bad = run_dpg(base + QStringList{QStringLiteral("--set"), QStringLiteral("grpo.lr=1")});
  QVERIFY(bad.code != 0);
  QVERIFY2(bad.err.trimmed().startsWith(QStringLiteral("dpg: error: ")) &&
               bad.err.contains(QStringLiteral("validation.* fields only")),
           qPrintable(bad.err));
  auto none = run_dpg({QStringLiteral("eval"), QString::number(id), QStringLiteral("--db"), db,
                       QStringLiteral("--step"), QStringLiteral("7")});
  QVERIFY(none.code != 0);
  QVERIFY2(none.err.contains(QStringLiteral("no checkpoint of step 7")), qPrintable(none.err));
}

}  // namespace

class TestCli : public QObject {
  Q_OBJECT
 private slots:
  void seededTinyRunLearns() {
    QTemporaryDir dir;
    const QString db = dir.path() + QStringLiteral("/runs.db");
    const int steps = 60;
    auto r = run_dpg({QStringLiteral("run"),
                      QStringLiteral("--preset"),
                      QStringLiteral("67-tiny"),
                      QStringLiteral("--db"),
                      db,
                      QStringLiteral("--set"),
                      QStringLiteral("grpo.steps=%1").arg(steps),
                      QStringLiteral("--set"),
                      QStringLiteral("grpo.prompts_per_step=8"),
                      QStringLiteral("--set"),
                      QStringLiteral("grpo.minibatch_prompts=8"),
                      QStringLiteral("--set"),
                      QStringLiteral("grpo.max_new_tokens=32"),
                      QStringLiteral("--set"),
                      QStringLiteral("inner.T=4"),
                      QStringLiteral("--set"),
                      QStringLiteral("validation.every=20"),
                      QStringLiteral("--set"),
                      QStringLiteral("seed=3"),
                      QStringLiteral("--set"),
                      QStringLiteral("threads=1")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // The progress line is explained once, the last line says how the run ended, then what next.
    QCOMPARE(r.err.count(QStringLiteral("\nprogress: Φ = objective")), 1);
    QVERIFY2(r.err.contains(QStringLiteral(": finished, %1 steps (").arg(steps)),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("\nnext: dpg runs show 1   dpg export 1 --png DIR")),
             qPrintable(r.err));
    auto st = dpg::store::RunStore::open(db.toStdString(), true);
    auto runs = st.list_runs();
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(runs[0].metric_name,
             std::string("pixel accuracy"));  // the objective's, recorded at creation
    auto m = st.steps(runs[0].id);
    QCOMPARE(int(m.size()), steps);
    for (const auto& s : m) QCOMPARE(st.samples(runs[0].id, s.step).size(), size_t(32));
    QVERIFY(st.snapshot_steps(runs[0].id).size() >= size_t(steps / 5));
    // Φ rises above its start: the mean of the last 10 steps beats the mean of the first 10.
    double first = 0, last = 0;
    for (int i = 0; i < 10; ++i) {
      first += m[size_t(i)].Phi / 10;
      last += m[size_t(steps - 10 + i)].Phi / 10;
    }
    qInfo("phi: first 10 steps %.5f, last 10 steps %.5f", first, last);
    QVERIFY(last > first);

    // Export writes the curves and the images.
    auto e = run_dpg({QStringLiteral("export"), QString::number(runs[0].id), QStringLiteral("--db"),
                      db, QStringLiteral("--png"), dir.path() + QStringLiteral("/png"),
                      QStringLiteral("--csv"), dir.path() + QStringLiteral("/curves.csv"),
                      QStringLiteral("--samples"), dir.path() + QStringLiteral("/samples.jsonl")});
    QVERIFY2(e.code == 0, qPrintable(e.err));
    {
      // One JSON line per stored sample, in step order, with the stored text (sequence credit: no
      // byte_tau).
      QFile f(dir.path() + QStringLiteral("/samples.jsonl"));
      QVERIFY(f.open(QIODevice::ReadOnly));
      const auto lines =
          QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
      QCOMPARE(lines.size(), steps * 32);
      const auto last = nlohmann::json::parse(lines.back().toStdString());
      const auto stored = st.samples(runs[0].id, steps).back();
      QCOMPARE(last.at("step").get<int>(), steps);
      // A response that is not UTF-8 (the tiny generator writes any byte) comes with its exact
      // bytes.
      if (last.contains("response_bytes")) {
        std::string bytes;
        for (int b : last.at("response_bytes")) bytes.push_back(char(b));
        QCOMPARE(bytes, stored.response);
      } else {
        QCOMPARE(last.at("response").get<std::string>(), stored.response);
      }
      int with_bytes = 0;
      for (const auto& line : lines)
        with_bytes += line.contains(QStringLiteral("\"response_bytes\""));
      qInfo("%d of %lld exported samples are not UTF-8", with_bytes,
            static_cast<long long>(lines.size()));
      QCOMPARE(last.at("tau").get<double>(), stored.tau);
      QVERIFY(!last.contains("byte_tau"));
    }
    QFile csv(dir.path() + QStringLiteral("/curves.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()).count(QLatin1Char('\n')), steps + 1);
    QVERIFY(
        !QDir(dir.path() + QStringLiteral("/png")).entryList({QStringLiteral("*.png")}).isEmpty());

    auto show = run_dpg({QStringLiteral("runs"), QStringLiteral("show"),
                         QString::number(runs[0].id), QStringLiteral("--db"), db});
    QVERIFY2(show.code == 0, qPrintable(show.err));
    QVERIFY2(show.out.contains(QStringLiteral("\nmetric: pixel accuracy\n")), qPrintable(show.out));
    // The description once, on its own line, not again inside the config.
    QCOMPARE(show.out.count(QStringLiteral("description")), 1);
    QVERIFY2(show.out.contains(QStringLiteral("\ndescription: Draw the paper's")),
             qPrintable(show.out));
    QVERIFY2(!show.out.contains(QStringLiteral("QR:")),
             qPrintable(show.out));  // "67" is no QR code

    checkEval(db, runs[0].id, m.back());

    // A finished run continues with more steps; a change to the steps already made is one line and
    // exit 1.
    const QStringList resume{QStringLiteral("resume"), QString::number(runs[0].id),
                             QStringLiteral("--db"), db};
    auto refused =
        run_dpg(resume + QStringList{QStringLiteral("--set"), QStringLiteral("grpo.steps=62"),
                                     QStringLiteral("--set"), QStringLiteral("inner.T=8")});
    QCOMPARE(refused.code, 1);
    QVERIFY2(
        refused.err.trimmed().count(QLatin1Char('\n')) == 0 &&
            refused.err.contains(QStringLiteral("inner.T: cannot change when continuing a run")),
        qPrintable(refused.err));
    auto more =
        run_dpg(resume + QStringList{QStringLiteral("--set"), QStringLiteral("grpo.steps=62")});
    QVERIFY2(more.code == 0, qPrintable(more.err));
    QCOMPARE(int(dpg::store::RunStore::open(db.toStdString(), true).steps(runs[0].id).size()),
             steps + 2);
  }

  void qrRunSaysWhetherItScans() {
    // A short qr-tiny run validates at every step. Its progress bar, `runs show`, `export --png`
    // and `eval` each scan its sign images with zbar and say how many decode to the payload: none,
    // two steps into a run (about half the modules right). The database is named bare ("qr.db", in
    // the working directory): such a --db once failed with "cannot create directories: Invalid
    // argument []".
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("qr.db"));
    QStringList sets;
    for (const char* kv :
         {"grpo.steps=2", "grpo.prompts_per_step=4", "grpo.minibatch_prompts=4",
          "validation.every=1", "validation.prompts=4", "snapshot_every=1", "threads=1"})
      sets << QStringLiteral("--set") << QString::fromLatin1(kv);
    auto r = run_dpg(
        QStringList{QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("qr-tiny"),
                    QStringLiteral("--db"), QStringLiteral("qr.db")} +
            sets,
        600000, dir.path());
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("  QR no scan  ")),
             qPrintable(r.err));  // the progress bar's verdict
    const auto validations =
        dpg::store::RunStore::open(db.toStdString(), true).snapshot_steps(1, "val_sign").size();
    QVERIFY(validations >= 2);
    const QString none =
        QStringLiteral("QR: none of %1 validation sign images decodes to \"DPG\"").arg(validations);
    // ... and how far the newest validation is from a scan, by the parts a scan needs
    // (qr_damage.h).
    const QString damage = QStringLiteral(
        "\\d+ of 26 codewords wrong \\(level H repairs 8\\), \\d+ of 192 finder modules wrong");
    // The verdict is the run's last line before the suggested next commands.
    const QRegularExpression last_line(QRegularExpression::escape(none) +
                                       QStringLiteral("; step 2: ") + damage +
                                       QStringLiteral("\nnext: dpg runs show 1 [^\n]*\n$"));
    QVERIFY2(last_line.match(r.err).hasMatch(), qPrintable(r.err));
    auto show = run_dpg({QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("1"),
                         QStringLiteral("--db"), db});
    QVERIFY2(show.code == 0 &&
                 QRegularExpression(QRegularExpression::escape(none) +
                                    QStringLiteral("; step 2: ") + damage + QStringLiteral("\n"))
                     .match(show.out)
                     .hasMatch(),
             qPrintable(show.out));
    auto exp = run_dpg({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--db"), db,
                        QStringLiteral("--png"), dir.filePath(QStringLiteral("png"))});
    QVERIFY2(exp.code == 0 && exp.err.contains(none), qPrintable(exp.err));
    auto ev = run_dpg({QStringLiteral("eval"), QStringLiteral("1"), QStringLiteral("--db"), db,
                       QStringLiteral("--set"), QStringLiteral("validation.repeats=2")});
    QVERIFY2(ev.code == 0 && ev.out.contains(QStringLiteral(
                                 "QR: 0 of 2 repeats' sign images decode to \"DPG\"\n")),
             qPrintable(ev.out + ev.err));
    for (int repeat : {0, 1})
      QVERIFY2(QRegularExpression(QStringLiteral("\n  repeat %1: ").arg(repeat) + damage +
                                  QStringLiteral("\n"))
                   .match(ev.out)
                   .hasMatch(),
               qPrintable(ev.out));
  }

  void badInputIsOneReadableLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("needle");
    QTest::addRow("unknown preset")
        << QStringList{QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("nope")}
        << QStringLiteral("nope");
    QTest::addRow("bad field") << QStringList{QStringLiteral("run"), QStringLiteral("--set"),
                                              QStringLiteral("grpo.lrr=1")}
                               << QStringLiteral("grpo.lrr");
    QTest::addRow("bad value") << QStringList{QStringLiteral("run"), QStringLiteral("--set"),
                                              QStringLiteral("inner.T=7")}
                               << QStringLiteral("inner.T");
    QTest::addRow("missing db dir")
        << QStringList{QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--db"),
                       QStringLiteral("/nonexistent/x/runs.db")}
        << QStringLiteral("/nonexistent/x/runs.db");
    QTest::addRow("empty attribute data")
        << QStringList{QStringLiteral("attribute"), QStringLiteral("--data"),
                       QStringLiteral("/dev/null"), QStringLiteral("--objective"),
                       QStringLiteral("lmhead_norm")}
        << QStringLiteral("no examples");
    QTest::addRow("pretrain heads") << QStringList{QStringLiteral("pretrain"),
                                                   QStringLiteral("--role"),
                                                   QStringLiteral("target"),
                                                   QStringLiteral("--out"),
                                                   QStringLiteral("/tmp/dpg-never-written"),
                                                   QStringLiteral("--d-model"),
                                                   QStringLiteral("30"),
                                                   QStringLiteral("--heads"),
                                                   QStringLiteral("4")}
                                    << QStringLiteral("not a multiple of --heads 4");
  }
  void badInputIsOneReadableLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, needle);
    QTemporaryDir dir;
    QStringList full = args;
    if (args.first() == QStringLiteral("run"))
      full << QStringLiteral("--db") << dir.path() + QStringLiteral("/r.db");
    auto r = run_dpg(full, 120000);
    QVERIFY(r.code != 0);
    const auto lines = r.err.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines[0].startsWith(QStringLiteral("dpg: error: ")) && lines[0].contains(needle),
             qPrintable(lines[0]));
  }

  /// kill -9 in the middle of a run: every step committed before stays whole, the run reads
  /// "interrupted", and `dpg resume` continues it to the same curve as a run that was never killed.
  /// While the run is live, a resume from another process is one line and exit 1, and changes
  /// nothing.
  void killedRunResumesToTheSameCurve() {
    QTemporaryDir dir;
    const QString killed = dir.path() + QStringLiteral("/killed.db"),
                  whole = dir.path() + QStringLiteral("/whole.db");
    const int steps = 40;
    QStringList run{QStringLiteral("run"), QStringLiteral("--preset"), QStringLiteral("67-tiny")};
    for (const char* kv :
         {"grpo.prompts_per_step=4", "grpo.minibatch_prompts=4", "grpo.max_new_tokens=24",
          "inner.T=4", "validation.every=10", "validation.prompts=4", "validation.T=4",
          "checkpoint_every=3", "seed=5", "threads=1"})
      run << QStringLiteral("--set") << QString::fromLatin1(kv);
    run << QStringLiteral("--set") << QStringLiteral("grpo.steps=%1").arg(steps);

    QProcess p;
    p.start(dpg::test::bin_dir() + QStringLiteral("/dpg"),
            run + QStringList{QStringLiteral("--db"), killed});
    QVERIFY(p.waitForStarted());
    auto committed = [&] {
      if (!QFile::exists(killed)) return size_t(0);
      try {
        return dpg::store::RunStore::open(killed.toStdString(), true).steps(1).size();
      } catch (const std::exception&) {  // the run is being created
        return size_t(0);
      }
    };
    QTRY_VERIFY_WITH_TIMEOUT(committed() >= 4, 300000);

    const QStringList resume{QStringLiteral("resume"), QStringLiteral("1"), QStringLiteral("--db"),
                             killed};
    auto busy = run_dpg(resume);
    QCOMPARE(busy.code, 1);
    QVERIFY2(busy.err.trimmed().count(QLatin1Char('\n')) == 0 &&
                 busy.err.contains(
                     QStringLiteral("run 1 is being run by process %1; stop it there first")
                         .arg(p.processId())),
             qPrintable(busy.err));
    auto listed =
        run_dpg({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--db"), killed});
    QVERIFY2(listed.out.contains(QStringLiteral(" running ")), qPrintable(listed.out));

    p.kill();  // SIGKILL: no handler runs, the status stays "running"
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    {
      auto st = dpg::store::RunStore::open(killed.toStdString(), true);
      const auto made = st.steps(1);
      QVERIFY2(made.size() >= 4 && made.size() < size_t(steps),
               "the run ended before it was killed");
      for (const auto& m : made)
        QCOMPARE(st.samples(1, m.step).size(), size_t(16));  // each step whole
      QCOMPARE(st.run(1)->status, dpg::store::RunStatus::Running);
      qInfo("killed after %zu committed steps", made.size());
    }
    listed =
        run_dpg({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--db"), killed});
    QVERIFY2(listed.out.contains(QStringLiteral(" interrupted ")), qPrintable(listed.out));
    auto shown = run_dpg({QStringLiteral("runs"), QStringLiteral("show"), QStringLiteral("1"),
                          QStringLiteral("--db"), killed});
    QVERIFY2(shown.out.contains(QStringLiteral("status: interrupted (killed or crashed")),
             qPrintable(shown.out));

    auto resumed = run_dpg(resume);
    QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
    // Its bar shows the stored validation of step 1 until it validates again, never "val nan".
    QVERIFY2(!resumed.err.contains(QStringLiteral("val nan")) &&
                 resumed.err.contains(QStringLiteral("  val 0.")),
             qPrintable(resumed.err));
    auto uninterrupted = run_dpg(run + QStringList{QStringLiteral("--db"), whole});
    QVERIFY2(uninterrupted.code == 0, qPrintable(uninterrupted.err));
    const auto a = dpg::store::RunStore::open(killed.toStdString(), true).steps(1);
    const auto b = dpg::store::RunStore::open(whole.toStdString(), true).steps(1);
    QCOMPARE(a.size(), size_t(steps));
    QCOMPARE(b.size(), size_t(steps));
    for (size_t i = 0; i < a.size(); ++i) {
      QCOMPARE(a[i].step, b[i].step);
      QCOMPARE(a[i].Phi, b[i].Phi);
      QCOMPARE(a[i].reward_mean, b[i].reward_mean);
    }
    QCOMPARE(dpg::store::RunStore::open(killed.toStdString(), true).run(1)->status,
             dpg::store::RunStatus::Done);
  }

  /// `dpg pretrain --d-model/--layers/--heads` changes the role's size, and the written config says
  /// so.
  void pretrainWritesTheAskedSize() {
    QTemporaryDir dir;
    const QString out = dir.path() + QStringLiteral("/m");
    auto r = run_dpg({QStringLiteral("pretrain"), QStringLiteral("--role"),
                      QStringLiteral("target"), QStringLiteral("--out"), out,
                      QStringLiteral("--steps"), QStringLiteral("2"), QStringLiteral("--batch"),
                      QStringLiteral("2"), QStringLiteral("--d-model"), QStringLiteral("48"),
                      QStringLiteral("--layers"), QStringLiteral("1"), QStringLiteral("--heads"),
                      QStringLiteral("4"), QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(out + QStringLiteral("/config.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto cfg = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(cfg[QStringLiteral("n_embd")].toInt(), 48);
    QCOMPARE(cfg[QStringLiteral("n_layer")].toInt(), 1);
    QCOMPARE(cfg[QStringLiteral("n_head")].toInt(), 4);
    QCOMPARE(cfg[QStringLiteral("n_inner")].toInt(), 192);
    QVERIFY(cfg[QStringLiteral("dpg_metadata")]
                .toObject()[QStringLiteral("command")]
                .toString()
                .contains(QStringLiteral("--d-model 48 --layers 1 --heads 4")));
  }

  void attributeWritesOneLinePerExample() {
    QTemporaryDir dir;
    QFile f(dir.path() + QStringLiteral("/d.jsonl"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 8; ++i)
      f.write(QStringLiteral("{\"text\": \"example number %1, some words\"}\n").arg(i).toUtf8());
    f.close();
    auto r = run_dpg({QStringLiteral("attribute"), QStringLiteral("--data"), f.fileName(),
                      QStringLiteral("--objective"), QStringLiteral("lmhead_bitmap"),
                      QStringLiteral("--params"), QStringLiteral("{\"source\":\"67\"}"),
                      QStringLiteral("--T"), QStringLiteral("4")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto lines = r.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 9);
    QVERIFY(lines[0].contains(QStringLiteral("\"tau\"")) &&
            lines[0].contains(QStringLiteral("\"step\":1")));
    QVERIFY(lines[8].contains(QStringLiteral("phi_after")));
    // --device cpu, given explicitly, writes the same τ bit for bit.
    auto cpu = run_dpg({QStringLiteral("attribute"), QStringLiteral("--data"), f.fileName(),
                        QStringLiteral("--objective"), QStringLiteral("lmhead_bitmap"),
                        QStringLiteral("--params"), QStringLiteral("{\"source\":\"67\"}"),
                        QStringLiteral("--T"), QStringLiteral("4"), QStringLiteral("--device"),
                        QStringLiteral("cpu")});
    QVERIFY2(cpu.code == 0, qPrintable(cpu.err));
    const auto cpu_lines = cpu.out.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(cpu_lines.mid(0, 8), lines.mid(0, 8));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
