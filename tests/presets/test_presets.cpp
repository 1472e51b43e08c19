// SPDX-License-Identifier: MIT
// The GPU presets, qr-gpu and 67-gpu: they hold the paper's scale (cross-group batching, T 96 ×
// B 1 024, 200 steps, T_val 96, device cuda); by the run's own memory estimate each fits one 80 GB
// card with the schedule its memory budget picks, where the fastest schedule would not; and each
// starts on a CPU, shrunk by --set overrides, for two steps through the dpg binary.
#include "core/config/presets.h"
#include "core/dpg/run_memory.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/run_session.h"
#include "core/store/run_store.h"
#include "tests/common/test_paths.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace dpg;

namespace {

constexpr int64_t kGiB = int64_t(1) << 30;
/// What a run may use of one 80 GB card: the rest is left to the CUDA context, the caching
/// allocator's slack and the estimate's error.
constexpr int64_t kCardBudget = 64 * kGiB;

/// The overrides that shrink a GPU preset to a CPU smoke run: 8 prompts × 4 rollouts, T 4 × B 8,
/// validation of 8 prompts at T_val 4 every step (scripts/gpu-check.sh --device cpu uses the same).
QStringList shrink_to_cpu() {
  QStringList sets;
  for (const char* kv :
       {"grpo.steps=2", "grpo.prompts_per_step=8", "grpo.minibatch_prompts=8", "inner.T=4",
        "validation.prompts=8", "validation.T=4", "validation.every=1", "threads=1"})
    sets << QStringLiteral("--set") << QString::fromLatin1(kv);
  return sets;
}

}  // namespace

class TestPresets : public QObject {
  Q_OBJECT

 private slots:
  void gpuPresets_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("qr-gpu") << QStringLiteral("qr-gpu");
    QTest::newRow("67-gpu") << QStringLiteral("67-gpu");
  }

  void gpuPresetsHoldThePaperScale_data() { gpuPresets_data(); }
  void gpuPresetsHoldThePaperScale() {
    QFETCH(QString, name);
    const auto cfg = config::load_preset(name.toStdString());
    QVERIFY(cfg.grpo.cross_group);
    QCOMPARE(cfg.examples_per_dataset(), int64_t(98304));
    QCOMPARE(cfg.inner.T, int64_t(96));
    QCOMPARE(cfg.inner_batch(), int64_t(1024));
    QCOMPARE(cfg.grpo.steps, int64_t(200));
    QCOMPARE(cfg.validation.T, int64_t(96));
    QCOMPARE(cfg.val_batch(), int64_t(1024));
    QCOMPARE(cfg.run.device, std::string("cuda"));
  }

  /// The estimate resource guard uses (core/dpg/run_memory.h): the budget's schedule is
  /// sqrt+graphs, the peak fits the card, and all+graphs (every step's graph kept) would not.
  void gpuPresetsFitOneCard_data() { gpuPresets_data(); }
  void gpuPresetsFitOneCard() {
    QFETCH(QString, name);
    plugin::PluginRegistry plugins;
    auto cfg = config::load_preset(name.toStdString());
    cfg.run.device = "cpu";  // the estimate is the same; the inputs load on the host
    const auto in = session::make_run_inputs(cfg, plugins);
    const auto m = engine::estimate_run_memory(cfg, in);
    qInfo(
        "%s: peak %.1f GiB (models %.2f, generation %.1f, reverse pass %.1f with %s, update "
        "%.1f)",
        qPrintable(name), double(m.peak()) / kGiB, double(m.models) / kGiB,
        double(m.generation) / kGiB, double(m.metagrad) / kGiB, config::name_of(m.schedule),
        double(m.update) / kGiB);
    QVERIFY(m.schedule == config::Schedule::SqrtGraphs);
    QVERIFY(m.metagrad <= cfg.inner.memory_budget_bytes());
    QVERIFY2(m.peak() <= kCardBudget, qPrintable(QString::number(double(m.peak()) / kGiB)));
    auto all_graphs = cfg;
    all_graphs.inner.schedule = config::Schedule::AllGraphs;
    const auto kept = engine::estimate_run_memory(all_graphs, in);
    qInfo("%s: all+graphs would need %.0f GiB", qPrintable(name), double(kept.peak()) / kGiB);
    QVERIFY(kept.peak() > kCardBudget);
  }

  void gpuPresetsStartShrunkOnCpu_data() { gpuPresets_data(); }
  void gpuPresetsStartShrunkOnCpu() {
    QFETCH(QString, name);
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("runs.db"));
    QProcess p;
    p.start(
        test::bin_dir() + QStringLiteral("/dpg"),
        QStringList{QStringLiteral("run"), QStringLiteral("--preset"), name,
                    QStringLiteral("--device"), QStringLiteral("cpu"), QStringLiteral("--db"), db} +
            shrink_to_cpu());
    QVERIFY(p.waitForFinished(300000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    const auto store = store::RunStore::open(db.toStdString(), true);
    const auto runs = store.list_runs();
    QCOMPARE(int(runs.size()), 1);
    QCOMPARE(runs[0].preset, name.toStdString());
    const auto stored = nlohmann::json::parse(runs[0].config_json);
    QCOMPARE(stored["run"]["device"].get<std::string>(), std::string("cpu"));
    QCOMPARE(stored["inner"]["T"].get<int64_t>(), int64_t(4));
    const auto steps = store.steps(runs[0].id);
    QCOMPARE(int(steps.size()), 2);
    for (const auto& m : steps) {
      QVERIFY(std::isfinite(m.Phi));
      QVERIFY(std::isfinite(m.val_metric));  // validated at both steps
      QCOMPARE(int(store.samples(runs[0].id, m.step).size()), 32);
    }
  }
};

QTEST_GUILESS_MAIN(TestPresets)
#include "test_presets.moc"
