// SPDX-License-Identifier: MIT
// `dpg run --world-size N` against one process, through the store rank 0 writes: float64 run
// settings (inner.dtype and run.precision), 2 and 3 ranks against 1, equal to ≤ 1e-10 in Φ, every
// τ_i and advantage, the generator's parameters after each update (the per-step checkpoints) and
// the stored validation; with 3 ranks neither the inner batch B = 4 nor the update's mini-batches
// divide evenly. Then a rank killed with SIGKILL in the middle of a step: the launcher names it in
// one line, the store is intact with every committed step, and `dpg resume --world-size 2`
// finishes the run on the same curve. A run made over 2 ranks continues over 3.
#include "core/model/safetensors.h"
#include "core/store/run_store.h"
#include "tests/common/test_paths.h"

#include <sqlite3.h>
#include <torch/torch.h>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <string>

using namespace dpg;

namespace {

// 67-tiny shrunk: 8 prompts × 4 responses, T 8 (B 4), two mini-batches of 16 rows, validation of
// 4 prompts × 4 at every step, a checkpoint at every step; float64 θ and 𝒜.
QStringList run_args(const QString& db, int world, int steps, const QStringList& extra = {}) {
  QStringList a{QStringLiteral("run"),
                QStringLiteral("--preset"),
                QStringLiteral("67-tiny"),
                QStringLiteral("--db"),
                db,
                QStringLiteral("--threads"),
                QStringLiteral("1")};
  for (const char* kv :
       {"seed=5", "grpo.prompts_per_step=8", "grpo.group_size=4", "grpo.minibatch_prompts=4",
        "grpo.max_new_tokens=16", "grpo.min_new_tokens=4", "inner.dtype=float64",
        "run.precision=float64", "validation.every=1", "validation.prompts=4", "validation.T=4",
        "validation.repeats=1", "checkpoint_every=1", "snapshot_every=1"})
    a << QStringLiteral("--set") << QString::fromUtf8(kv);
  a << QStringLiteral("--set") << QStringLiteral("grpo.steps=%1").arg(steps);
  a << extra;
  if (world > 1) a << QStringLiteral("--world-size") << QString::number(world);
  return a;
}

int run_dpg(const QStringList& args, QString* err = nullptr) {
  QProcess p;
  p.start(test::bin_dir() + QStringLiteral("/dpg"), args);
  if (!p.waitForFinished(600000)) return -1;
  if (err) *err = QString::fromUtf8(p.readAllStandardError());
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

// Everything a run stored of its steps.
struct Stored {
  std::vector<engine::StepMetrics> steps;
  std::vector<std::vector<engine::Sample>> samples;  // per step
  std::vector<torch::Tensor> theta;                  // θ after each step's update, flattened
};

Stored read_run(const QString& db) {
  auto store = store::RunStore::open(db.toStdString(), /*read_only=*/true);
  Stored s;
  s.steps = store.steps(1);
  for (const auto& m : s.steps) s.samples.push_back(store.samples(1, m.step));
  for (const auto& ck : store.checkpoints(1)) {
    std::vector<torch::Tensor> flat;
    for (const auto& [name, t] : model::read_safetensors(ck.path).tensors)
      if (name.starts_with("theta/")) flat.push_back(t.reshape({-1}).to(torch::kFloat64));
    s.theta.push_back(torch::cat(flat));
  }
  return s;
}

// The largest difference between two runs' stored values, by kind.
struct Gap {
  double Phi = 0, tau = 0, advantage = 0, theta = 0, validation = 0;
  double largest_tau = 0, largest_step = 0;  // the scale: max |τ| and max |θ_s − θ_0| moved
};

Gap compare(const Stored& a, const Stored& b) {
  Gap g;
  auto at = [](double& into, double x) { into = std::max(into, std::abs(x)); };
  for (size_t s = 0; s < a.steps.size(); ++s) {
    at(g.Phi, a.steps[s].Phi - b.steps[s].Phi);
    at(g.validation, a.steps[s].val_Phi - b.steps[s].val_Phi);
    at(g.validation, a.steps[s].val_metric - b.steps[s].val_metric);
    for (size_t i = 0; i < a.samples[s].size(); ++i) {
      at(g.tau, a.samples[s][i].tau - b.samples[s][i].tau);
      at(g.advantage, a.samples[s][i].advantage - b.samples[s][i].advantage);
      at(g.largest_tau, a.samples[s][i].tau);
    }
  }
  for (size_t s = 0; s < a.theta.size(); ++s) {
    at(g.theta, (a.theta[s] - b.theta[s]).abs().max().item<double>());
    at(g.largest_step, (a.theta[s] - a.theta[0]).abs().max().item<double>());
  }
  return g;
}

// The pid of rank @p rank of the run whose database is @p db, or 0.
pid_t pid_of_rank(int rank, const QString& db) {
  const QByteArray needle = QByteArray("--rank\0", 7) + QByteArray::number(rank) + QByteArray(1, 0);
  for (const auto& e : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(e));
    if (!f.open(QIODevice::ReadOnly)) continue;
    const QByteArray cmd = f.readAll();
    if (cmd.contains(needle) && cmd.contains(db.toUtf8())) return e.toInt();
  }
  return 0;
}

QString integrity(const QString& db) {
  sqlite3* h = nullptr;
  QString result = QStringLiteral("cannot open");
  if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return result;
}

}  // namespace

class TestDistributedRun : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  Stored one_;  // the single-process run every other is compared with

  QString db(const QString& name) const { return dir_.filePath(name + QStringLiteral(".db")); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QString err;
    QCOMPARE(run_dpg(run_args(db(QStringLiteral("one")), 1, 3), &err), 0);
    one_ = read_run(db(QStringLiteral("one")));
    QCOMPARE(int(one_.steps.size()), 3);
    QCOMPARE(int(one_.theta.size()), 3);
    QCOMPARE(int(one_.samples[0].size()), 32);
  }

  void ranksEqualOneProcess_data() {
    QTest::addColumn<int>("world");
    QTest::newRow("2 ranks") << 2;
    QTest::newRow("3 ranks, uneven slices") << 3;
  }
  void ranksEqualOneProcess() {
    QFETCH(int, world);
    const QString name = QStringLiteral("world%1").arg(world);
    QString err;
    QCOMPARE(run_dpg(run_args(db(name), world, 3), &err), 0);
    const Stored got = read_run(db(name));
    QCOMPARE(got.steps.size(), one_.steps.size());
    QCOMPARE(got.theta.size(), one_.theta.size());
    const Gap g = compare(got, one_);
    qInfo(
        "%d ranks against 1, 3 steps: max|ΔΦ| %.3g, max|Δτ| %.3g (|τ| up to %.3g), max|ΔÂ| %.3g, "
        "max|Δθ| %.3g (θ moved up to %.3g), max|Δ validation| %.3g",
        world, g.Phi, g.tau, g.largest_tau, g.advantage, g.theta, g.largest_step, g.validation);
    QVERIFY(g.Phi <= 1e-10);
    QVERIFY(g.tau <= 1e-10);
    QVERIFY(g.advantage <= 1e-10);
    QVERIFY(g.theta <= 1e-10);
    QVERIFY(g.validation <= 1e-10);
    QVERIFY(g.largest_tau > 1e-8);   // τ is not trivially zero
    QVERIFY(g.largest_step > 1e-6);  // and the updates moved θ
    for (const auto& m : got.steps) QVERIFY(std::isfinite(m.val_Phi));
  }

  // SIGKILL of rank 1 in the middle of step 2: one line naming it, an intact store with step 1,
  // and a resume over 2 ranks that ends on the uninterrupted curve.
  void killedRankResumes() {
    const QString path = db(QStringLiteral("killed"));
    QProcess p;
    p.start(test::bin_dir() + QStringLiteral("/dpg"), run_args(path, 2, 3));
    QVERIFY(p.waitForStarted());
    bool committed = false;
    for (int k = 0; k < 3000 && !committed; ++k) {
      QThread::msleep(20);
      if (!QFile::exists(path)) continue;
      try {  // the store may still be in the making (an empty file, no schema yet)
        committed = store::RunStore::open(path.toStdString(), true).last_step(1).value_or(0) >= 1;
      } catch (const std::exception&) {
      }
    }
    QVERIFY(committed);
    QThread::msleep(300);
    const pid_t victim = pid_of_rank(1, path);
    QVERIFY(victim > 0);
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QVERIFY(p.waitForFinished(120000));
    QVERIFY(p.exitCode() != 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(err.count(QStringLiteral("error:")), 1);
    QVERIFY2(err.contains(QStringLiteral("rank 1 of 2 was killed")), qPrintable(err));
    QCOMPARE(pid_of_rank(0, path), pid_t(0));  // rank 0 ended too
    QCOMPARE(integrity(path), QStringLiteral("ok"));
    const auto kept = store::RunStore::open(path.toStdString(), true).last_step(1).value_or(0);
    QVERIFY(kept >= 1);
    QString resume_err;
    QCOMPARE(run_dpg({QStringLiteral("resume"), QStringLiteral("1"), QStringLiteral("--db"), path,
                      QStringLiteral("--threads"), QStringLiteral("1"),
                      QStringLiteral("--world-size"), QStringLiteral("2")},
                     &resume_err),
             0);
    const Stored got = read_run(path);
    QCOMPARE(got.steps.size(), one_.steps.size());
    const Gap g = compare(got, one_);
    qInfo(
        "killed at step %lld, resumed over 2 ranks: max|ΔΦ| %.3g, max|Δθ| %.3g against one "
        "uninterrupted process",
        static_cast<long long>(kept + 1), g.Phi, g.theta);
    QVERIFY(g.Phi <= 1e-10);
    QVERIFY(g.theta <= 1e-10);
  }

  // The torchrun / Slurm way: two `dpg run` started apart with RANK, WORLD_SIZE, MASTER_ADDR and
  // MASTER_PORT in their environment (a TCPStore on loopback) store what one process stores.
  void environmentLaunchedRanks() {
    const QString path = db(QStringLiteral("env"));
    const QString port = QString::number(20000 + ::getpid() % 20000);
    QProcess ranks[2];
    for (int r = 0; r < 2; ++r) {
      auto env = QProcessEnvironment::systemEnvironment();
      env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
      env.insert(QStringLiteral("MASTER_PORT"), port);
      env.insert(QStringLiteral("WORLD_SIZE"), QStringLiteral("2"));
      env.insert(QStringLiteral("RANK"), QString::number(r));
      ranks[r].setProcessEnvironment(env);
      ranks[r].start(test::bin_dir() + QStringLiteral("/dpg"), run_args(path, 1, 3));
    }
    for (auto& p : ranks) {
      QVERIFY(p.waitForFinished(600000));
      QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
               p.readAllStandardError().constData());
    }
    const Gap g = compare(read_run(path), one_);
    qInfo("2 ranks from the environment against 1: max|ΔΦ| %.3g, max|Δτ| %.3g, max|Δθ| %.3g", g.Phi,
          g.tau, g.theta);
    QVERIFY(g.Phi <= 1e-10);
    QVERIFY(g.tau <= 1e-10);
    QVERIFY(g.theta <= 1e-10);
  }

  // torchrun itself (the .venv's torch.distributed.run): its agent serves the TCPStore, sets RANK,
  // WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT, and says that its store
  // is to be joined (TORCHELASTIC_USE_AGENT_STORE): rank 0 joins it as a client instead of serving.
  void torchrunLaunchedRanks() {
    const QString path = db(QStringLiteral("torchrun"));
    const QString port = QString::number(20000 + (::getpid() + 7919) % 20000);
    QStringList args{QStringLiteral("-m"),
                     QStringLiteral("torch.distributed.run"),
                     QStringLiteral("--nproc-per-node"),
                     QStringLiteral("2"),
                     QStringLiteral("--master-port"),
                     port,
                     QStringLiteral("--no-python"),
                     test::bin_dir() + QStringLiteral("/dpg")};
    args << run_args(path, 1, 3);
    QProcess p;
    p.start(test::venv_python(), args);
    QVERIFY(p.waitForFinished(600000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
    QVERIFY2(!err.contains(QStringLiteral("failed to bind")), qPrintable(err));
    const Gap g = compare(read_run(path), one_);
    qInfo("2 ranks from torchrun against 1: max|ΔΦ| %.3g, max|Δτ| %.3g, max|Δθ| %.3g", g.Phi, g.tau,
          g.theta);
    QVERIFY(g.Phi <= 1e-10);
    QVERIFY(g.tau <= 1e-10);
    QVERIFY(g.theta <= 1e-10);
  }

  // A run made over 2 ranks continued over 3 (grpo.steps raised from 2 to 3) lands where the same
  // run made and continued in one process does: no state a rank holds depends on N.
  void resumesWithAnotherWorldSize() {
    const QString a = db(QStringLiteral("cont1")), b = db(QStringLiteral("cont23"));
    auto resume = [](const QString& path, int world) {
      QStringList r{QStringLiteral("resume"),    QStringLiteral("1"),
                    QStringLiteral("--db"),      path,
                    QStringLiteral("--set"),     QStringLiteral("grpo.steps=3"),
                    QStringLiteral("--threads"), QStringLiteral("1")};
      if (world > 1) r << QStringLiteral("--world-size") << QString::number(world);
      return run_dpg(r);
    };
    QCOMPARE(run_dpg(run_args(a, 1, 2)), 0);
    QCOMPARE(resume(a, 1), 0);
    QCOMPARE(run_dpg(run_args(b, 2, 2)), 0);
    QCOMPARE(resume(b, 3), 0);
    const Stored one = read_run(a), mixed = read_run(b);
    QCOMPARE(int(mixed.steps.size()), 3);
    QCOMPARE(mixed.theta.size(), one.theta.size());
    const Gap g = compare(mixed, one);
    qInfo(
        "made over 2 ranks, continued over 3, against one process: max|ΔΦ| %.3g, max|Δτ| %.3g, "
        "max|Δθ| %.3g",
        g.Phi, g.tau, g.theta);
    QVERIFY(g.Phi <= 1e-10);
    QVERIFY(g.tau <= 1e-10);
    QVERIFY(g.theta <= 1e-10);
  }

  // Rank 0 fails of itself (its store cannot be made) after the ranks have joined: its own line is
  // the only one, the exit code is 1, and neither the launcher nor rank 1 (which lost its peer)
  // adds a line.
  void rankZeroErrorIsTheOnlyLine() {
    QString err;
    const QString path = QStringLiteral("/proc/no-such-folder/run.db");
    QCOMPARE(run_dpg(run_args(path, 2, 1), &err), 1);
    QVERIFY2(err.startsWith(QStringLiteral("dpg: error: ")), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("/proc/no-such-folder")), qPrintable(err));
    QCOMPARE(err.trimmed().count(QLatin1Char('\n')), 0);
  }

  // What the ranks could not split is refused before any starts, in one line.
  void refusesTooManyRanks() {
    QString err;
    QVERIFY(run_dpg(run_args(db(QStringLiteral("refused")), 5, 1), &err) != 0);
    QVERIFY2(err.contains(QStringLiteral("each rank needs an example")), qPrintable(err));
    QCOMPARE(err.trimmed().count(QLatin1Char('\n')), 0);
    QVERIFY(!QFile::exists(db(QStringLiteral("refused"))));
  }
};

QTEST_GUILESS_MAIN(TestDistributedRun)
#include "test_distributed_run.moc"
