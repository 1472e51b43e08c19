// SPDX-License-Identifier: MIT
// The DPG loop through RunSession with the bundled tiny models:
//  - a live run is leased to its session; once nobody holds it, a run marked running reads
//  "interrupted";
//  - stop then resume continues at the next step, and the resumed curve equals an uninterrupted
//  run; a finished
//    run continues with more steps and a new stage;
//  - the store holds every step with its samples and snapshots;
//  - the naive baseline and non-cross-group batching run;
//  - token credit, the entropy bonus, validation repeats, the generator lr drop and objective
//  stages change what
//    they should.
#include "core/config/presets.h"
#include "core/dpg/run_memory.h"
#include "core/model/errors.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/evaluate.h"
#include "core/session/run_lease.h"
#include "core/session/run_session.h"
#include "tests/common/test_device.h"

#include <torch/torch.h>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace dpg;

namespace {

config::RunConfig short_config(int64_t steps) {
  auto cfg = config::load_preset("67-tiny");
  cfg.grpo.steps = steps;
  cfg.grpo.prompts_per_step = 4;
  cfg.grpo.group_size = 4;
  cfg.grpo.minibatch_prompts = 2;
  cfg.grpo.max_new_tokens = 24;
  cfg.inner.T = 4;
  cfg.validation.every = 2;
  cfg.validation.prompts = 4;
  cfg.validation.T = 4;
  cfg.snapshot_every = 1;
  cfg.checkpoint_every = 2;
  cfg.seed = 7;
  return cfg;
}

std::vector<engine::StepMetrics> run_all(const config::RunConfig& cfg, const std::string& db,
                                         plugin::PluginRegistry& plugins, int64_t stop_after = 0) {
  std::atomic<bool> stop{false};
  auto s = session::RunSession::create(cfg, "67-tiny", db, plugins);
  const int64_t id = s->run_id();
  s->run_until(stop, [&](const engine::StepRecord& r) {
    if (stop_after > 0 && r.metrics.step == stop_after) stop.store(true);
  });
  if (stop_after > 0) {
    s.reset();
    stop.store(false);
    store::RunStore::open(db).set_metric_name(
        id, "");  // as a run stored before schema 3 had the column
    auto r = session::RunSession::resume(id, db, plugins);
    if (r->run().next_step() > stop_after + 1) qFatal("resume skipped steps");
    if (r->store().run(id)->metric_name != "pixel accuracy")
      qFatal("resume did not record the metric name");
    r->run_until(stop);
  }
  return store::RunStore::open(db, true).steps(id);
}

/// Whether run 1 of two stores sampled the same responses at @p step (both must hold that step's
/// samples).
bool same_responses(const std::string& db_a, const std::string& db_b, int64_t step) {
  const auto a = store::RunStore::open(db_a, true).samples(1, step);
  const auto b = store::RunStore::open(db_b, true).samples(1, step);
  if (a.empty() || a.size() != b.size())
    qFatal("step %lld: %zu and %zu samples", static_cast<long long>(step), a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].response != b[i].response) return false;
  return true;
}

}  // namespace

class TestLoop : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    torch::set_num_threads(2);
    DPG_REQUIRE_TEST_DEVICE();
  }

  // A short DPG run on $DPG_TEST_DEVICE: two steps with a validation, every metric finite, a normal
  // run in the store (its config names the device); then it continues on the CPU from its
  // checkpoint.
  void shortRunOnTheTestDevice() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    const auto db = (dir.path() + QStringLiteral("/device.db")).toStdString();
    auto cfg = short_config(2);
    cfg.run.device = test::test_device_name();
    const auto steps = run_all(cfg, db, plugins);
    QCOMPARE(steps.size(), size_t(2));
    for (const auto& m : steps)
      for (double x : {m.Phi, m.metric, m.reward_mean, m.policy_loss, m.kl, m.fluency_nll})
        QVERIFY2(std::isfinite(x), qPrintable(QStringLiteral("step %1").arg(m.step)));
    QVERIFY(std::isfinite(steps[1].val_metric));
    const auto stored = store::RunStore::open(db, true).run(1);
    QVERIFY(stored &&
            nlohmann::json::parse(stored->config_json)["run"]["device"] == cfg.run.device);
    std::atomic<bool> stop{false};
    auto on_cpu = session::RunSession::resume(1, db, plugins, {"grpo.steps=3"}, "cpu");
    QCOMPARE(on_cpu->run().next_step(), int64_t(3));
    QVERIFY(on_cpu->run().device().is_cpu());
    on_cpu->run_until(stop);
    QCOMPARE(store::RunStore::open(db, true).steps(1).size(), size_t(3));
  }

  // run.precision=bf16 on $DPG_TEST_DEVICE: generation samples from a bfloat16 θ and the update's
  // forward runs under bfloat16 autocast; the run's metrics stay finite and differ from float32's.
  void bf16GenerationAndUpdateRun() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(2);
    cfg.run.device = test::test_device_name();
    const auto f32 = run_all(cfg, (dir.path() + QStringLiteral("/f32.db")).toStdString(), plugins);
    cfg.apply_override("run.precision=bf16");
    const auto bf16 =
        run_all(cfg, (dir.path() + QStringLiteral("/bf16.db")).toStdString(), plugins);
    QCOMPARE(bf16.size(), size_t(2));
    for (const auto& m : bf16)
      for (double x : {m.Phi, m.metric, m.reward_mean, m.policy_loss, m.kl, m.fluency_nll})
        QVERIFY2(std::isfinite(x), qPrintable(QStringLiteral("step %1").arg(m.step)));
    QVERIFY(std::isfinite(bf16[1].val_metric));
    QVERIFY(bf16[0].fluency_nll != f32[0].fluency_nll);
  }

  // run.device "cpu" given explicitly equals a config without the setting (as stored runs made
  // before it), bit for bit: Φ, the metrics, the validation and every τ of two steps.
  void explicitCpuEqualsDefault() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto json = short_config(2).to_json();
    json.erase("run");
    const auto implicit = config::RunConfig::from_json(json);
    auto explicit_cpu = implicit;
    explicit_cpu.apply_override("run.device=cpu");
    const auto a_db = (dir.path() + QStringLiteral("/a.db")).toStdString(),
               b_db = (dir.path() + QStringLiteral("/b.db")).toStdString();
    const auto a = run_all(implicit, a_db, plugins), b = run_all(explicit_cpu, b_db, plugins);
    QCOMPARE(a.size(), size_t(2));
    QCOMPARE(b.size(), a.size());
    for (size_t i = 0; i < a.size(); ++i) {
      QVERIFY(a[i].Phi == b[i].Phi && a[i].metric == b[i].metric);
      QVERIFY(a[i].reward_mean == b[i].reward_mean && a[i].policy_loss == b[i].policy_loss);
      QVERIFY(a[i].kl == b[i].kl && a[i].fluency_nll == b[i].fluency_nll);
      QVERIFY(a[i].val_Phi == b[i].val_Phi ||
              (std::isnan(a[i].val_Phi) && std::isnan(b[i].val_Phi)));
      const auto sa = store::RunStore::open(a_db, true).samples(1, a[i].step),
                 sb = store::RunStore::open(b_db, true).samples(1, b[i].step);
      QCOMPARE(sa.size(), sb.size());
      for (size_t k = 0; k < sa.size(); ++k)
        QVERIFY(sa[k].tau == sb[k].tau && sa[k].response == sb[k].response);
    }
  }

  // Two stores in one folder each have a run 1: their checkpoints must not share a folder.
  void checkpointFoldersAreNamedAfterTheStore() {
    const auto a = session::checkpoint_dir("/data/a.db", 1),
               b = session::checkpoint_dir("/data/b.db", 1);
    QCOMPARE(QString::fromStdString(a), QStringLiteral("/data/a.db-checkpoints/run-1"));
    QVERIFY(a != b);
    QVERIFY(session::checkpoint_dir("/data/a.db", 2) != a);
  }

  void resumeEqualsUninterrupted() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(5);
    auto whole = run_all(cfg, (dir.path() + QStringLiteral("/a.db")).toStdString(), plugins);
    // Stop after step 3 (checkpoints at 2 and 4): resume goes back to step 2 and re-runs step 3.
    auto resumed = run_all(cfg, (dir.path() + QStringLiteral("/b.db")).toStdString(), plugins, 3);
    QCOMPARE(whole.size(), size_t(5));
    QCOMPARE(resumed.size(), size_t(5));
    for (size_t i = 0; i < whole.size(); ++i) {
      QCOMPARE(resumed[i].step, whole[i].step);
      QCOMPARE(resumed[i].Phi, whole[i].Phi);
      QCOMPARE(resumed[i].metric, whole[i].metric);
      QCOMPARE(resumed[i].reward_mean, whole[i].reward_mean);
      QCOMPARE(resumed[i].policy_loss, whole[i].policy_loss);
    }
  }

  // A session holds its run's lease: a resume elsewhere is refused and changes nothing; once the
  // holder is gone, a run still marked running reads "interrupted" and resumes.
  void liveRunIsLeasedInterruptedRunResumes() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    const auto db = (dir.path() + QStringLiteral("/lease.db")).toStdString();
    std::atomic<bool> stop{false};
    auto s = session::RunSession::create(short_config(3), "67-tiny", db, plugins);
    const int64_t id = s->run_id();
    s->run_until(stop, [&](const engine::StepRecord& r) { stop.store(r.metrics.step == 2); });
    QVERIFY(session::RunLease::held(db, id));
    try {
      session::RunSession::resume(id, db, plugins);
      QFAIL("a resume of a run held elsewhere went ahead");
    } catch (const session::RunBusyError& e) {
      QVERIFY2(QString::fromUtf8(e.what()).contains(
                   QStringLiteral("by process %1;").arg(QCoreApplication::applicationPid())),
               e.what());
    }
    QCOMPARE(store::RunStore::open(db, true).steps(id).size(),
             size_t(2));  // not truncated to the checkpoint
    QVERIFY_THROWS_EXCEPTION(session::RunBusyError, session::RunLease::acquire(db, id));

    // As after kill -9: the status says running, nobody holds the lease.
    store::RunStore::open(db).set_status(id, store::RunStatus::Running);
    auto runs = store::RunStore::open(db, true).list_runs();
    session::mark_interrupted(db, runs);
    QVERIFY(!runs[0].interrupted);  // still held by s
    s.reset();
    QVERIFY(!session::RunLease::held(db, id));
    session::mark_interrupted(db, runs);
    QVERIFY(runs[0].interrupted);
    QCOMPARE(session::status_label(runs[0]), std::string("interrupted"));
    auto r = session::RunSession::resume(id, db, plugins);
    QVERIFY(session::RunLease::held(db, id));
    stop.store(false);
    r->run_until(stop);
    QCOMPARE(store::RunStore::open(db, true).steps(id).size(), size_t(3));
    r.reset();
    QVERIFY(!session::RunLease::held(db, id));
    // Deleting takes the lease too, and leaves neither rows nor the run's folder behind.
    session::delete_run(db, id);
    QVERIFY(store::RunStore::open(db, true).list_runs().empty());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(session::checkpoint_dir(db, id))));
  }

  void storeHoldsStepsSamplesSnapshots() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    const auto db = (dir.path() + QStringLiteral("/c.db")).toStdString();
    auto cfg = short_config(3);
    run_all(cfg, db, plugins);
    auto st = store::RunStore::open(db, true);
    auto runs = st.list_runs();
    QCOMPARE(runs.size(), size_t(1));
    QCOMPARE(store::status_name(runs[0].status), std::string("done"));
    auto steps = st.steps(runs[0].id);
    QCOMPARE(steps.size(), size_t(3));
    for (const auto& m : steps) {
      QCOMPARE(st.samples(runs[0].id, m.step).size(), size_t(16));
      QVERIFY(st.snapshot(runs[0].id, m.step, "sign").has_value());
      QVERIFY(std::isfinite(m.fluency_nll) && m.fluency_nll > 0);
    }
    QVERIFY(st.snapshot(runs[0].id, 1, "target").has_value());
    QVERIFY(std::isfinite(steps[1].val_metric));  // validated at step 2
    QVERIFY(!st.checkpoints(runs[0].id).empty());
  }

  void naiveAndPerGroupBatching() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(2);
    cfg.grpo.reward = config::Reward::Naive;
    cfg.grpo.cross_group = false;
    auto naive = run_all(cfg, (dir.path() + QStringLiteral("/n.db")).toStdString(), plugins);
    QCOMPARE(naive.size(), size_t(2));
    cfg.grpo.reward = config::Reward::Dpg;
    auto dpg = run_all(cfg, (dir.path() + QStringLiteral("/d.db")).toStdString(), plugins);
    QCOMPARE(dpg.size(), size_t(2));
    QVERIFY(dpg[0].reward_std > 0);
  }

  // grpo.credit = token: step 1 samples and scores exactly as sequence credit (Σ_j τ_ij = τ_i),
  // then the per-token advantages send the generator elsewhere.
  void tokenCredit() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(2);
    cfg.grpo.min_new_tokens = cfg.grpo.max_new_tokens;
    const auto seq_db = (dir.path() + QStringLiteral("/s.db")).toStdString();
    const auto tok_db = (dir.path() + QStringLiteral("/t.db")).toStdString();
    run_all(cfg, seq_db, plugins);
    cfg.grpo.credit = config::Credit::Token;
    run_all(cfg, tok_db, plugins);
    auto seq = store::RunStore::open(seq_db, true), tok = store::RunStore::open(tok_db, true);
    auto s1 = seq.samples(1, 1), t1 = tok.samples(1, 1);
    QCOMPARE(t1.size(), s1.size());
    double tau_diff = 0, abs_tau = 0;
    for (size_t i = 0; i < s1.size(); ++i) {
      QCOMPARE(QString::fromStdString(t1[i].response), QString::fromStdString(s1[i].response));
      tau_diff = std::max(tau_diff, std::abs(t1[i].tau - s1[i].tau));
      abs_tau = std::max(abs_tau, std::abs(s1[i].tau));
    }
    QVERIFY(abs_tau > 0);
    QVERIFY2(tau_diff <= 1e-6 * abs_tau,
             qPrintable(QStringLiteral("step-1 tau differs by %1").arg(tau_diff)));
    // Token credit stores each response byte's τ_ij (min_new_tokens = max_new_tokens: every
    // response is 24 bytes, all inside the target's context); sequence credit stores none.
    bool any_nonzero = false;
    for (size_t i = 0; i < t1.size(); ++i) {
      QCOMPARE(s1[i].byte_tau.size(), size_t(0));
      QCOMPARE(t1[i].byte_tau.size(), t1[i].response.size());
      for (float v : t1[i].byte_tau) any_nonzero = any_nonzero || v != 0.0f;
    }
    QVERIFY(any_nonzero);
    QVERIFY(!same_responses(seq_db, tok_db, 2));
  }

  // grpo.entropy_coef > 0 changes the generator's update (the bonus has a gradient), so step 2
  // samples differently; step 1, sampled before any update, is the same. Entropy rises against the
  // plain run.
  void entropyBonusChangesTheUpdate() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(3);
    const auto plain_db = (dir.path() + QStringLiteral("/p.db")).toStdString();
    const auto bonus_db = (dir.path() + QStringLiteral("/b.db")).toStdString();
    run_all(cfg, plain_db, plugins);
    cfg.grpo.entropy_coef = 1.0;
    run_all(cfg, bonus_db, plugins);
    auto plain = store::RunStore::open(plain_db, true),
         bonus = store::RunStore::open(bonus_db, true);
    QVERIFY(same_responses(plain_db, bonus_db, 1));
    QVERIFY(!same_responses(plain_db, bonus_db, 2));
    const auto ps = plain.steps(1), bs = bonus.steps(1);
    QVERIFY2(bs.back().entropy > ps.back().entropy,
             qPrintable(QStringLiteral("entropy %1 (bonus) vs %2")
                            .arg(bs.back().entropy)
                            .arg(ps.back().entropy)));
  }

  // dpg eval --pixels counts the repeats whose whole sign image equals Y: here repeats 0 and 2, not
  // repeat 1 (one pixel off), and none for an objective without a sign image.
  void wholeImageRepeatsCountsExactMatches() {
    engine::Validation v;
    v.view.target = {2, 2, {1.f, -1.f, -1.f, 1.f}};
    v.signs = {v.view.target, {2, 2, {1.f, -1.f, 1.f, 1.f}}, v.view.target};
    QCOMPARE(session::whole_image_repeats(v), int64_t(2));
    v.view.target = {};
    QCOMPARE(session::whole_image_repeats(v), int64_t(0));
  }

  // grpo.lr_drop_step = 2 changes the update of step 3 on: steps 1-3 sample exactly what a
  // constant-lr run samples (step 3's rollouts come from the generator after steps 1-2), step 4's
  // rollouts differ.
  void lrDropTakesEffectAfterItsStep() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(4);
    const auto plain_db = (dir.path() + QStringLiteral("/p.db")).toStdString();
    const auto drop_db = (dir.path() + QStringLiteral("/d.db")).toStdString();
    run_all(cfg, plain_db, plugins);
    cfg.grpo.lr_drop_step = 2;
    cfg.grpo.lr_after_drop = 30 * cfg.grpo.lr;
    run_all(cfg, drop_db, plugins);
    QVERIFY(same_responses(plain_db, drop_db, 1));
    QVERIFY(same_responses(plain_db, drop_db, 2));
    QVERIFY(same_responses(plain_db, drop_db, 3));
    QVERIFY(!same_responses(plain_db, drop_db, 4));
  }

  // A KL drop after step 2 leaves steps 1-3 as they were (step 3's loss is the first to use it, so
  // θ differs from step 4 on), and a run continued with the drop from its step-2 checkpoint equals
  // the run that had it from the start.
  void klDropTakesEffectAfterItsStep() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(4);
    cfg.grpo.kl_coef = 0.5;
    const auto plain_db = (dir.path() + QStringLiteral("/p.db")).toStdString();
    const auto drop_db = (dir.path() + QStringLiteral("/d.db")).toStdString();
    const auto plain = run_all(cfg, plain_db, plugins);
    auto dropped = cfg;
    dropped.grpo.kl_drop_step = 2;
    dropped.grpo.kl_after_drop = 0.0;
    const auto whole = run_all(dropped, drop_db, plugins);
    QVERIFY(same_responses(plain_db, drop_db, 3));
    QVERIFY(!same_responses(plain_db, drop_db, 4));
    QCOMPARE(whole[2].kl, plain[2].kl);  // the reported KL is a measurement, not the coefficient

    // The same drop added when continuing the plain run from its step-2 checkpoint
    // (checkpoint_every 2).
    const auto cont_db = (dir.path() + QStringLiteral("/c.db")).toStdString();
    std::atomic<bool> stop{false};
    {
      auto s = session::RunSession::create(cfg, "67-tiny", cont_db, plugins);
      s->run_until(stop, [&](const engine::StepRecord& r) { stop.store(r.metrics.step == 2); });
    }
    stop.store(false);
    auto r = session::RunSession::resume(1, cont_db, plugins,
                                         {"grpo.kl_drop_step=2", "grpo.kl_after_drop=0"});
    r->run_until(stop);
    const auto continued = store::RunStore::open(cont_db, true).steps(1);
    QCOMPARE(continued.size(), whole.size());
    for (size_t i = 0; i < whole.size(); ++i) QCOMPARE(continued[i].Phi, whole[i].Phi);
  }

  // An objective stage (here a focus from step 3) leaves steps 1-2 as they were, changes Φ from
  // step 3 on (step 3 samples the same texts, since θ after step 2 is the same), and a run stopped
  // before the stage and resumed equals the uninterrupted staged run.
  void objectiveStageTakesEffectAtItsStep() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(3);
    const auto plain_db = (dir.path() + QStringLiteral("/p.db")).toStdString();
    const auto staged_db = (dir.path() + QStringLiteral("/s.db")).toStdString();
    const auto resumed_db = (dir.path() + QStringLiteral("/r.db")).toStdString();
    const auto plain = run_all(cfg, plain_db, plugins);
    cfg.objective.stages =
        nlohmann::json::parse(R"([{"from_step": 3, "params": {"focus": [[0, 5, 8], [2, 1, 8]]}}])");
    const auto staged = run_all(cfg, staged_db, plugins);
    const auto resumed = run_all(cfg, resumed_db, plugins, /*stop_after=*/2);
    QCOMPARE(staged.size(), size_t(3));
    QCOMPARE(resumed.size(), size_t(3));
    for (int i = 0; i < 2; ++i) QCOMPARE(staged[i].Phi, plain[i].Phi);
    QVERIFY2(std::abs(staged[2].Phi - plain[2].Phi) > 1e-6,
             qPrintable(QStringLiteral("step 3 Φ %1 with the stage, %2 without")
                            .arg(staged[2].Phi)
                            .arg(plain[2].Phi)));
    QVERIFY(same_responses(plain_db, staged_db, 3));
    for (int i = 0; i < 3; ++i) QCOMPARE(resumed[i].Phi, staged[i].Phi);
    // A stage whose params the plugin rejects fails before the store is touched, naming the stage.
    cfg.objective.stages =
        nlohmann::json::parse(R"([{"from_step": 2, "params": {"sharpness": -1}}])");
    const auto bad_db = (dir.path() + QStringLiteral("/b.db")).toStdString();
    QVERIFY_THROWS_EXCEPTION(model::ConfigError,
                             session::RunSession::create(cfg, "67-tiny", bad_db, plugins));
    std::string why;
    try {
      session::make_run_inputs(cfg, plugins);
    } catch (const model::ConfigError& e) {
      why = e.what();
    }
    QVERIFY2(why.rfind("objective.stages[0].params: ", 0) == 0, why.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(bad_db)));
  }

  // A stage that draws another image stores its Y where it begins, so the views and the comparison
  // judge each step's sign image against the image in force at that step.
  void imageStageStoresItsTarget() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(2);
    cfg.validation.every = 0;
    cfg.objective.stages = nlohmann::json::array(
        {{{"from_step", 2},
          {"params", {{"source", "bitmap"}, {"bits", nlohmann::json::array({"#.#", ".#."})}}}}});
    const auto db = (dir.path() + QStringLiteral("/i.db")).toStdString();
    run_all(cfg, db, plugins);
    auto st = store::RunStore::open(db, true);
    QCOMPARE(st.snapshot_steps(1, "target"), (std::vector<int64_t>{1, 2}));
    QCOMPARE(st.snapshot(1, 1, "target")->rows, int64_t(6));  // "67"
    const auto y = *st.snapshot(1, 2, "target");
    QCOMPARE(y.rows, int64_t(2));
    QCOMPARE(y.cols, int64_t(3));
    const std::vector<float> want{1, -1, 1, -1, 1, -1};
    for (int64_t i = 0; i < 6; ++i) QCOMPARE(y.at(i / 3, i % 3), want[size_t(i)]);
    QCOMPARE(st.snapshot(1, 2, "sign")->rows,
             int64_t(2));  // the step's sign image is of the new patch
  }

  // A finished run continued with more steps and a new stage equals a run made with that config
  // from the start, and its store then holds the new config; a change to a step already made is
  // refused and changes nothing.
  void finishedRunContinuesWithAStage() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(3);
    const auto short_db = (dir.path() + QStringLiteral("/short.db")).toStdString();
    const auto whole_db = (dir.path() + QStringLiteral("/whole.db")).toStdString();
    run_all(cfg, short_db, plugins);
    const std::string stage = R"([{"from_step": 4, "params": {"focus": [[0, 5, 8]]}}])";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             session::RunSession::resume(1, short_db, plugins));  // finished
    QVERIFY_THROWS_EXCEPTION(
        model::ConfigError,
        session::RunSession::resume(1, short_db, plugins, {"grpo.steps=5", "grpo.kl_coef=0.5"}));
    QCOMPARE(store::RunStore::open(short_db, true).steps(1).size(),
             size_t(3));  // the refusal changed nothing
    {
      std::atomic<bool> stop{false};
      auto s = session::RunSession::resume(1, short_db, plugins,
                                           {"grpo.steps=5", "objective.stages=" + stage});
      QCOMPARE(s->run().next_step(), int64_t(4));
      s->run_until(stop);
    }
    cfg.grpo.steps = 5;
    cfg.objective.stages = nlohmann::json::parse(stage);
    const auto whole = run_all(cfg, whole_db, plugins);
    auto st = store::RunStore::open(short_db, true);
    const auto continued = st.steps(1);
    QCOMPARE(continued.size(), size_t(5));
    for (size_t i = 0; i < 5; ++i) QCOMPARE(continued[i].Phi, whole[i].Phi);
    QVERIFY(config::RunConfig::from_json(nlohmann::json::parse(st.run(1)->config_json)) == cfg);
    QVERIFY(st.run(1)->status == store::RunStatus::Done);
  }

  // validation.repeats = R averages R validations on fresh samples; repeat 0 is the single
  // validation, so a 2-repeat run's step-1 metric is the mean of the 1-repeat metric and another
  // pixel accuracy (a multiple of 1/42 in [0, 1]), and the images stay those of repeat 0. Training
  // is untouched.
  void validationRepeatsAverage() {
    QTemporaryDir dir;
    plugin::PluginRegistry plugins;
    auto cfg = short_config(1);
    cfg.validation.every = 1;
    cfg.validation.repeats = 1;
    const auto one_db = (dir.path() + QStringLiteral("/r1.db")).toStdString();
    const auto two_db = (dir.path() + QStringLiteral("/r2.db")).toStdString();
    auto one = run_all(cfg, one_db, plugins);
    cfg.validation.repeats = 2;
    auto two = run_all(cfg, two_db, plugins);
    QCOMPARE(one[0].Phi, two[0].Phi);
    const double other = 2 * two[0].val_metric - one[0].val_metric;  // repeat 1's pixel accuracy
    QVERIFY2(other >= -1e-9 && other <= 1 + 1e-9, qPrintable(QString::number(other)));
    QVERIFY2(std::abs(other * 42 - std::round(other * 42)) < 1e-6,
             qPrintable(QString::number(other * 42)));
    // With this seed the second sample set scores differently, so an ignored repeats field fails
    // here.
    QVERIFY2(
        std::abs(other - one[0].val_metric) > 0.5 / 42,
        qPrintable(QStringLiteral("repeat 1 %1, repeat 0 %2").arg(other).arg(one[0].val_metric)));
    const auto a = store::RunStore::open(one_db, true).snapshot(1, 1, "val_sign");
    const auto b = store::RunStore::open(two_db, true).snapshot(1, 1, "val_sign");
    QVERIFY(a.has_value() && b.has_value());
    QVERIFY(a->data == b->data);
    cfg.validation.repeats = 0;
    QVERIFY_THROWS_EXCEPTION(model::ConfigError, cfg.validate());
  }

  /// The resource guard: a run within the memory passes; with less memory than its estimate it is
  /// refused in one line with the numbers, and the settings it names do fit; with next to none
  /// it says what to lower.
  void memoryGuardNamesSettingsThatFit() {
    plugin::PluginRegistry plugins;
    auto cfg = short_config(3);
    cfg.apply_override("inner.schedule=all+graphs");
    const auto in = session::make_run_inputs(cfg, plugins);
    const auto m = engine::estimate_run_memory(cfg, in);
    QVERIFY(m.models > 0 && m.generation > 0 && m.metagrad > 0 && m.update > 0);
    QVERIFY(engine::memory_refusal(in, m.peak()).empty());
    QVERIFY(engine::memory_refusal(in, -1).empty());  // unknown: no refusal
    // Ranks of a data-parallel run on one host share it: 2 ranks need twice the peak.
    QVERIFY(engine::memory_refusal(in, 2 * m.peak(), 2).empty());
    const auto shared = engine::memory_refusal(in, 2 * m.peak() - 2, 2);
    QVERIFY2(shared.find(" for each of the 2 ranks on this host)") != std::string::npos &&
                 shared.find('\n') == std::string::npos,
             shared.c_str());

    auto least = cfg;
    for (const char* kv :
         {"inner.schedule=sqrt", "inner.micro_batch=1", "grpo.minibatch_prompts=1"})
      least.apply_override(kv);
    const int64_t floor = engine::estimate_run_memory(least, in).peak();
    QVERIFY(floor < m.peak());
    const int64_t available = (floor + m.peak()) / 2;
    const auto why = engine::memory_refusal(in, available);
    QVERIFY2(why.find('\n') == std::string::npos && why.starts_with("the run needs about ") &&
                 why.find(" is available") != std::string::npos,
             why.c_str());
    const auto at = why.find("; it fits with ");
    QVERIFY2(at != std::string::npos, why.c_str());
    auto fitted = cfg;
    const auto settings = why.substr(at + 15, why.find(" (about", at) - at - 15);
    for (const auto& kv : QString::fromStdString(settings).split(QLatin1Char(' ')))
      fitted.apply_override(kv.toStdString());
    QVERIFY2(engine::estimate_run_memory(fitted, in).peak() <= available, settings.c_str());

    const auto none = engine::memory_refusal(in, 1);
    QVERIFY2(none.find("even with inner.schedule=sqrt") != std::string::npos &&
                 none.find("lower grpo.prompts_per_step") != std::string::npos,
             none.c_str());
  }
};

QTEST_GUILESS_MAIN(TestLoop)
#include "test_loop.moc"
