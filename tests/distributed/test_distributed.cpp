// SPDX-License-Identifier: MIT
// Data-parallel metagradients over c10d's ProcessGroupGloo: N worker processes (this executable
// started with --rank) against one process, float64, equal to ≤ 1e-10 in Φ, every τ_i (and τ_ij
// with token credit) and φ_T; B not divisible by N included.
#include "core/dist/c10d_collective.h"
#include "core/dpg/metagrad.h"
#include "core/model/errors.h"
#include "core/model/transformer.h"
#include "tests/common/test_paths.h"
#include "tests/common/tiny_fixture.h"

#include <torch/torch.h>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <signal.h>

#include <cstdio>
#include <string>

using namespace dpg;

namespace distributed_test {

// One exactness case: the inner run's shape and the metagradient's schedule.
struct Case {
  int64_t T = 4, B = 5, micro = 0;
  engine::Schedule schedule = engine::Schedule::All;
  bool per_token = false;
};

Case case_named(const std::string& name) {
  Case c;
  if (name == "sqrt-micro") {  // recomputed segments, micro-batches inside each rank's slice
    c.T = 6;
    c.B = 6;
    c.micro = 2;
    c.schedule = engine::Schedule::Sqrt;
  } else if (name == "graphs-token") {  // kept graphs, per-token τ
    c.schedule = engine::Schedule::AllGraphs;
    c.per_token = true;
  }
  return c;
}

struct Result {
  double Phi = 0;
  torch::Tensor tau, tau_tokens, params_T;
};

// The metagradient of the case on a tiny GPT-2, with @p coll (nullptr: one process).
Result run_case(const Case& c, engine::Collective* coll) {
  const auto cfg = test::tiny_gpt_config();
  const auto params0 = model::init_params(cfg, 11, torch::kFloat64);
  engine::InnerConfig ic;
  ic.T = c.T;
  ic.lr = 1e-2;
  ic.micro_batch = c.micro;
  ic.dtype = config::Dtype::Float64;
  engine::InnerTrainer tr(cfg, params0, ic, c.B);
  tr.set_collective(coll);
  const auto data = test::random_data(c.T * c.B, 10, cfg.vocab_size, 12);
  engine::MetagradOptions mo;
  mo.schedule = c.schedule;
  mo.per_token = c.per_token;
  auto r = engine::metagrad(tr, data, test::bitmap_Phi(cfg, 6, 7, 3, 13), mo);
  std::vector<torch::Tensor> flat;
  for (const auto& [n, t] : r.params_T) flat.push_back(t.reshape({-1}));
  return {r.Phi, r.tau, r.tau_tokens.defined() ? r.tau_tokens : torch::zeros({0}),
          torch::cat(flat)};
}

// Worker mode: --rank R --world N --store FILE --out FILE --case NAME.
int worker(int argc, char** argv) {
  dist::Rendezvous rv;
  std::string out, name;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--rank") rv.rank = std::stoi(v);
    if (k == "--world") rv.world = std::stoi(v);
    if (k == "--store") rv.file = v;
    if (k == "--out") out = v;
    if (k == "--case") name = v;
  }
  rv.timeout = std::chrono::seconds(240);
  try {
    dist::C10dCollective coll(rv);
    auto r = run_case(case_named(name), &coll);
    torch::save(std::vector<torch::Tensor>{torch::tensor({r.Phi}, torch::kFloat64), r.tau,
                                           r.tau_tokens, r.params_T},
                out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: %s\n", rv.rank, e.what());
    return 1;
  }
  return 0;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.numel() == 0 && b.numel() == 0) return 0.0;
  return (a - b).abs().max().item<double>();
}

// A JSONL file of @p n short texts for `dpg attribute`.
QString write_texts(const QTemporaryDir& dir, int n, int words) {
  const char* vocab[] = {"the", "cat", "sat", "on", "a", "mat", "six", "seven", "dogs", "ran"};
  const QString path = dir.filePath(QStringLiteral("texts.jsonl"));
  QFile f(path);
  f.open(QIODevice::WriteOnly);
  for (int i = 0; i < n; ++i) {
    QString text;
    for (int k = 0; k < words; ++k)
      text += QString::fromLatin1(vocab[(i * 7 + k * 3 + i * k) % 10]) + QLatin1Char(' ');
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("text"), text.trimmed()}})
                .toJson(QJsonDocument::Compact) +
            "\n");
  }
  return path;
}

QStringList attribute_args(const QString& data, int T, int world) {
  return {QStringLiteral("attribute"),
          QStringLiteral("--data"),
          data,
          QStringLiteral("--objective"),
          QStringLiteral("lmhead_bitmap"),
          QStringLiteral("--params"),
          QStringLiteral(R"({"source":"67"})"),
          QStringLiteral("--T"),
          QString::number(T),
          QStringLiteral("--threads"),
          QStringLiteral("1"),
          QStringLiteral("--world-size"),
          QString::number(world)};
}

// τ_i of each output line of `dpg attribute`, then Φ after training as the last entry.
std::vector<double> read_attribution(const QByteArray& out) {
  std::vector<double> v;
  for (const auto& line : out.split('\n')) {
    if (line.trimmed().isEmpty()) continue;
    const auto o = QJsonDocument::fromJson(line).object();
    v.push_back(o.contains(QStringLiteral("tau")) ? o[QStringLiteral("tau")].toDouble()
                                                  : o[QStringLiteral("phi_after")].toDouble());
  }
  return v;
}

// The pid of the process whose command line holds "--rank" @p rank, or 0.
pid_t pid_of_rank(int rank) {
  const QByteArray needle = QByteArray("--rank\0", 7) + QByteArray::number(rank) + QByteArray(1, 0);
  for (const auto& e : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
    bool numeric = false;
    const pid_t pid = e.toInt(&numeric);
    if (!numeric) continue;
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(e));
    if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle)) return pid;
  }
  return 0;
}

}  // namespace distributed_test

using namespace distributed_test;

class TestDistributed : public QObject {
  Q_OBJECT

  // Runs the case on @p world worker processes and checks every rank against one process.
  void check_against_one_process(const std::string& name, int world) {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString store = dir.filePath(QStringLiteral("store"));
    std::vector<std::unique_ptr<QProcess>> procs;
    for (int r = 0; r < world; ++r) {
      auto p = std::make_unique<QProcess>();
      p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
      p->start(QCoreApplication::applicationFilePath(),
               {QStringLiteral("--rank"), QString::number(r), QStringLiteral("--world"),
                QString::number(world), QStringLiteral("--store"), store, QStringLiteral("--out"),
                dir.filePath(QStringLiteral("rank%1.pt").arg(r)), QStringLiteral("--case"),
                QString::fromStdString(name)});
      procs.push_back(std::move(p));
    }
    for (auto& p : procs) {
      QVERIFY(p->waitForFinished(600000));
      QCOMPARE(p->exitStatus(), QProcess::NormalExit);
      QCOMPARE(p->exitCode(), 0);
    }
    const auto ref = run_case(case_named(name), nullptr);
    for (int r = 0; r < world; ++r) {
      std::vector<torch::Tensor> got;
      torch::load(got, dir.filePath(QStringLiteral("rank%1.pt").arg(r)).toStdString());
      QCOMPARE(int(got.size()), 4);
      const double dPhi = std::abs(got[0].item<double>() - ref.Phi);
      const double dtau = max_diff(got[1], ref.tau), dtok = max_diff(got[2], ref.tau_tokens);
      const double dparams = max_diff(got[3], ref.params_T);
      qInfo(
          "%s, %d ranks, rank %d: |ΔΦ| %.3g, max|Δτ| %.3g (|τ| up to %.3g), max|Δτ_ij| %.3g, "
          "max|Δφ_T| %.3g",
          name.c_str(), world, r, dPhi, dtau, ref.tau.abs().max().item<double>(), dtok, dparams);
      QVERIFY(dPhi <= 1e-10);
      QVERIFY(dtau <= 1e-10);
      QVERIFY(dtok <= 1e-10);
      QVERIFY(dparams <= 1e-10);
      QVERIFY(ref.tau.abs().max().item<double>() > 1e-6);  // τ is not trivially zero
    }
  }

 private slots:
  // B = 5 over 2 and 3 ranks: slices of 3+2 and 2+2+1 examples.
  void allScheduleUnevenSlices() {
    check_against_one_process("all", 2);
    check_against_one_process("all", 3);
  }
  void sqrtScheduleWithMicroBatches() { check_against_one_process("sqrt-micro", 2); }
  void keptGraphsPerTokenCredit() { check_against_one_process("graphs-token", 2); }

  // `dpg attribute --world-size 2` starts two ranks and writes what one process writes.
  void cliAttributeOverTwoRanksEqualsOne() {
    QTemporaryDir dir;
    const QString data = write_texts(dir, 24, 8);
    std::vector<double> out[2];
    for (int world : {1, 2}) {
      QProcess p;
      p.start(test::bin_dir() + QStringLiteral("/dpg"), attribute_args(data, 4, world));
      QVERIFY(p.waitForFinished(300000));
      QCOMPARE(p.exitCode(), 0);
      out[world - 1] = read_attribution(p.readAllStandardOutput());
    }
    QCOMPARE(out[0].size(), size_t(25));
    QCOMPARE(out[1].size(), out[0].size());
    double d = 0, largest = 0;
    for (size_t i = 0; i < out[0].size(); ++i) {
      d = std::max(d, std::abs(out[0][i] - out[1][i]));
      largest = std::max(largest, std::abs(out[0][i]));
    }
    qInfo("dpg attribute, 2 ranks against 1: max|Δ| %.3g over τ and Φ (largest %.3g)", d, largest);
    QVERIFY(d <= 1e-10);
    QVERIFY(largest > 1e-6);
  }

  // A rank killed with SIGKILL: the launcher stops the others and exits with one line naming it.
  void cliKilledRankIsNamed() {
    QTemporaryDir dir;
    const QString data = write_texts(dir, 400, 20);
    QProcess p;
    p.start(test::bin_dir() + QStringLiteral("/dpg"), attribute_args(data, 40, 2));
    QVERIFY(p.waitForStarted());
    pid_t victim = 0;
    for (int k = 0; k < 300 && !victim; ++k) {
      QThread::msleep(20);
      victim = pid_of_rank(1);
    }
    QVERIFY(victim > 0);
    QThread::msleep(500);
    QCOMPARE(::kill(victim, SIGKILL), 0);
    QVERIFY(p.waitForFinished(120000));
    QVERIFY(p.exitCode() != 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("rank 1 of 2 was killed")), qPrintable(err));
    QCOMPARE(pid_of_rank(0), pid_t(0));  // rank 0 was stopped too
  }

  // A rank per example at most, and the unrolled schedule is single-process only.
  void refusesWhatItCannotSplit() {
    struct Fake : engine::Collective {
      int world_;
      explicit Fake(int w) : world_(w) {}
      int rank() const override { return 0; }
      int world() const override { return world_; }
      void all_reduce_sum(std::vector<torch::Tensor>&) override {}
    };
    const auto cfg = test::tiny_gpt_config();
    engine::InnerConfig ic;
    ic.T = 2;
    engine::InnerTrainer tr(cfg, model::init_params(cfg, 1), ic, 3);
    Fake four(4), two(2);
    QVERIFY_THROWS_EXCEPTION(model::ConfigError, tr.set_collective(&four));
    tr.set_collective(&two);
    engine::MetagradOptions mo;
    mo.schedule = engine::Schedule::Unroll;
    QVERIFY_THROWS_EXCEPTION(model::ConfigError,
                             engine::metagrad(tr, test::random_data(6, 8, cfg.vocab_size, 2),
                                              test::bitmap_Phi(cfg, 6, 7, 3, 3), mo));
  }
};

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--rank") return worker(argc, argv);
  QCoreApplication app(argc, argv);
  TestDistributed t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_distributed.moc"
