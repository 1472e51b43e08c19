// SPDX-License-Identifier: MIT
// Exactness proofs of the metagradient engine (float64 tiny models):
// finite differences, schedule / micro-batch / VJP invariance, the linear check, AdamW parity,
// and typed errors on non-finite values.
#include "core/dpg/dataset.h"
#include "core/dpg/errors.h"
#include "core/dpg/metagrad.h"
#include "core/dpg/precision.h"
#include "core/dpg/prompts.h"
#include "core/model/errors.h"
#include "core/model/model_io.h"
#include "core/resources/resources.h"
#include "tests/common/test_device.h"
#include "tests/common/tiny_fixture.h"

#include <torch/torch.h>
#include <QtTest>

#include <filesystem>

using namespace dpg;
using engine::InnerConfig;
using engine::InnerOptimizer;
using engine::InnerTrainer;
using engine::Schedule;

// A named namespace, not an anonymous one: the test class (external linkage) has lambdas that
// capture these types.
namespace metagrad_test {

InnerConfig inner(InnerOptimizer opt, int64_t T) {
  InnerConfig ic;
  ic.T = T;
  ic.optimizer = opt;
  ic.lr = opt == InnerOptimizer::AdamW ? 1e-2 : 0.5;
  ic.dtype = config::Dtype::Float64;
  return ic;
}

struct Setup {
  model::ModelConfig cfg = test::tiny_gpt_config();
  model::TensorMap params0;
  engine::InnerData data;
  engine::PhiFn Phi;
};

// φ₀ on the test device ($DPG_TEST_DEVICE), the data on the host (metagrad and train move it).
Setup make_setup(int64_t T, int64_t B, uint64_t seed, bool likelihood = false) {
  Setup s;
  s.params0 =
      model::to_device(model::init_params(s.cfg, seed, torch::kFloat64), test::test_device());
  s.data = test::random_data(T * B, 10, s.cfg.vocab_size, seed + 1);
  if (likelihood) {
    auto ref = test::random_data(3, 10, s.cfg.vocab_size, seed + 2).tokens;
    s.Phi = test::likelihood_Phi(s.cfg, ref);
  } else {
    s.Phi = test::bitmap_Phi(s.cfg, 6, 7, 3, seed + 3);
  }
  return s;
}

double Phi_at(const InnerTrainer& tr, const Setup& s, const torch::Tensor& w) {
  auto params_T = tr.train(s.data, w);
  torch::NoGradGuard ng;
  return s.Phi(params_T, tr.params0()).item<double>();
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  auto a = torch::tensor(x, torch::kFloat64), b = torch::tensor(y, torch::kFloat64);
  a = a - a.mean();
  b = b - b.mean();
  return ((a * b).sum() / (a.norm() * b.norm())).item<double>();
}

}  // namespace metagrad_test
using namespace metagrad_test;

class TestMetagrad : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    torch::set_num_threads(1);
    DPG_REQUIRE_TEST_DEVICE();
  }

  void finiteDifferences_data() {
    QTest::addColumn<int>("optimizer");
    QTest::addColumn<int>("T");
    QTest::addColumn<bool>("likelihood");
    for (int opt : {0, 1})
      for (int T : {1, 3, 8}) {
        const char* o = opt == 0 ? "adam" : "sgd";
        QTest::addRow("%s T=%d bitmap", o, T) << opt << T << false;
        QTest::addRow("%s T=%d likelihood", o, T) << opt << T << true;
      }
  }
  // τ_i against a fourth-order central difference of Φ(𝒜(w)) in float64: relative error ≤ 1e-6.
  void finiteDifferences() {
    QFETCH(int, optimizer);
    QFETCH(int, T);
    QFETCH(bool, likelihood);
    const int64_t B = 3;
    auto s = make_setup(T, B, 100 + uint64_t(T), likelihood);
    InnerTrainer tr(s.cfg, s.params0,
                    inner(optimizer == 0 ? InnerOptimizer::AdamW : InnerOptimizer::Sgd, T), B);
    auto r = engine::metagrad(tr, s.data, s.Phi);
    QVERIFY(r.tau.size(0) == T * B);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    auto picks = at::randperm(T * B, gen, torch::kLong);
    const int checks = int(std::min<int64_t>(5, T * B));
    for (int c = 0; c < checks; ++c) {
      const int64_t i = picks[c].item<int64_t>();
      auto at_h = [&](double x) {
        auto w = torch::ones({T * B}, torch::kFloat64);
        w[i] = 1.0 + x;
        return Phi_at(tr, s, w);
      };
      // f'(0) ≈ (−f(2h) + 8f(h) − 8f(−h) + f(−2h)) / 12h, error O(h⁴) + O(ε|Φ|/h).
      auto stencil = [&](double h) {
        return (-at_h(2 * h) + 8 * at_h(h) - 8 * at_h(-h) + at_h(-2 * h)) / (12 * h);
      };
      // The step is chosen from the stencil alone (never from τ): of a ladder of h, take the
      // estimate whose neighbours agree best (the usual truncation/rounding balance).
      const std::vector<double> hs = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6};
      std::vector<double> ds;
      for (double h : hs) ds.push_back(stencil(h));
      auto spread = [&](size_t k) {
        return std::abs(ds[k] - ds[k - 1]) + std::abs(ds[k + 1] - ds[k]);
      };
      size_t best = 1;
      for (size_t k = 2; k + 1 < ds.size(); ++k)
        if (spread(k) < spread(best)) best = k;
      const double fd = ds[best];
      const double tau = r.tau[i].item<double>();
      const double rel = std::abs(fd - tau) / std::max(std::abs(tau), 1e-12);
      if (rel > 1e-6)
        for (size_t k = 0; k < hs.size(); ++k) qWarning("  h %g fd %.15g", hs[k], ds[k]);
      if (rel > 1e-6)
        qWarning("example %lld: tau %.15g fd %.15g rel %.3g", (long long)i, tau, fd, rel);
      QVERIFY2(rel <= 1e-6, qPrintable(QStringLiteral("rel err %1 at example %2").arg(rel).arg(i)));
    }
  }

  // all, sqrt, all+graphs, sqrt+graphs, spilled all and the full unroll agree to 1e-10.
  void scheduleInvariance_data() {
    QTest::addColumn<int>("optimizer");
    QTest::addRow("adam") << 0;
    QTest::addRow("sgd") << 1;
  }
  void scheduleInvariance() {
    QFETCH(int, optimizer);
    const int64_t T = 7, B = 2;
    auto s = make_setup(T, B, 11, true);
    InnerTrainer tr(s.cfg, s.params0,
                    inner(optimizer == 0 ? InnerOptimizer::AdamW : InnerOptimizer::Sgd, T), B);
    engine::MetagradOptions o;
    o.schedule = Schedule::Unroll;
    auto ref = engine::metagrad(tr, s.data, s.Phi, o);
    QVERIFY(ref.tau.abs().max().item<double>() > 0);
    const auto spill = std::filesystem::temp_directory_path().string();
    for (auto sch : {Schedule::All, Schedule::Sqrt, Schedule::AllGraphs, Schedule::SqrtGraphs}) {
      for (bool disk : {false, true}) {
        o.schedule = sch;
        o.spill_dir = disk ? spill : std::string();
        auto r = engine::metagrad(tr, s.data, s.Phi, o);
        const double diff = max_abs_diff(r.tau, ref.tau);
        QVERIFY2(diff <= 1e-10, qPrintable(QString::fromStdString(engine::schedule_name(sch)) +
                                           QStringLiteral(" differs by %1").arg(diff)));
        QCOMPARE(r.Phi, ref.Phi);
      }
    }
  }

  // Per-token τ_ij: every schedule agrees with the unroll, the rows sum to τ_i, masked tokens get
  // exactly 0, and sampled entries match a fourth-order finite difference of Φ in the token's
  // weight.
  void perTokenTau() {
    const int64_t T = 3, B = 2;
    auto s = make_setup(T, B, 41, false);
    auto ic = inner(InnerOptimizer::AdamW, T);
    InnerTrainer tr(s.cfg, s.params0, ic, B);
    engine::MetagradOptions o;
    o.schedule = Schedule::Unroll;
    o.per_token = true;
    auto ref = engine::metagrad(tr, s.data, s.Phi, o);
    const int64_t L = s.data.seq_len();
    QCOMPARE(ref.tau_tokens.sizes(), (torch::IntArrayRef{T * B, L - 1}));
    o.per_token = false;
    auto seq = engine::metagrad(tr, s.data, s.Phi, o);
    QVERIFY(!seq.tau_tokens.defined());
    QVERIFY(max_abs_diff(ref.tau, seq.tau) <= 1e-12);
    QVERIFY(max_abs_diff(ref.tau_tokens.sum(1), seq.tau) <= 1e-12);
    auto unmasked = s.data.mask.narrow(1, 1, L - 1).to(torch::kFloat64);
    QCOMPARE((ref.tau_tokens * (1 - unmasked)).abs().max().item<double>(), 0.0);
    o.per_token = true;
    for (auto sch : {Schedule::All, Schedule::Sqrt, Schedule::AllGraphs, Schedule::SqrtGraphs}) {
      o.schedule = sch;
      auto r = engine::metagrad(tr, s.data, s.Phi, o);
      QVERIFY2(max_abs_diff(r.tau_tokens, ref.tau_tokens) <= 1e-10,
               qPrintable(QString::fromStdString(engine::schedule_name(sch))));
    }
    o.schedule = Schedule::All;
    o.closed_form_vjp = false;
    QVERIFY(max_abs_diff(engine::metagrad(tr, s.data, s.Phi, o).tau_tokens, ref.tau_tokens) <=
            1e-12);
    o.closed_form_vjp = true;
    ic.micro_batch = 1;
    InnerTrainer split(s.cfg, s.params0, ic, B);
    QVERIFY(max_abs_diff(engine::metagrad(split, s.data, s.Phi, o).tau_tokens, ref.tau_tokens) <=
            1e-10);
    // Finite differences on three unmasked tokens.
    int checked = 0;
    for (int64_t i = 0; i < T * B && checked < 3; i += 2) {
      const int64_t j = 1 + i % 3;
      if (unmasked[i][j].item<double>() == 0) continue;
      auto at_h = [&](double x) {
        auto w = torch::ones({T * B, L - 1}, torch::kFloat64);
        w[i][j] = 1.0 + x;
        return Phi_at(tr, s, w);
      };
      const double h = 1e-4;
      const double fd = (-at_h(2 * h) + 8 * at_h(h) - 8 * at_h(-h) + at_h(-2 * h)) / (12 * h);
      const double tau = ref.tau_tokens[i][j].item<double>();
      QVERIFY(std::abs(tau) > 0);
      const double rel = std::abs(fd - tau) / std::abs(tau);
      QVERIFY2(rel <= 1e-6,
               qPrintable(
                   QStringLiteral("token (%1, %2): tau %3 fd %4").arg(i).arg(j).arg(tau).arg(fd)));
      ++checked;
    }
    QCOMPARE(checked, 3);
  }

  // φ₀ placed on device "cpu" explicitly gives τ, τ_ij and Φ equal, bit for bit, to φ₀ as loaded.
  void explicitCpuEqualsDefault() {
    const int64_t T = 3, B = 2;
    auto s = make_setup(T, B, 13, true);
    const auto loaded = model::init_params(s.cfg, 13, torch::kFloat64);
    InnerTrainer as_loaded(s.cfg, loaded, inner(InnerOptimizer::AdamW, T), B);
    InnerTrainer on_cpu(s.cfg, model::to_device(loaded, torch::Device("cpu")),
                        inner(InnerOptimizer::AdamW, T), B);
    engine::MetagradOptions o;
    o.per_token = true;
    const auto a = engine::metagrad(as_loaded, s.data, s.Phi, o);
    const auto b = engine::metagrad(on_cpu, s.data, s.Phi, o);
    QVERIFY(torch::equal(a.tau, b.tau) && torch::equal(a.tau_tokens, b.tau_tokens));
    QVERIFY(a.Phi == b.Phi && a.Phi_initial == b.Phi_initial);
  }

  // run.precision never reaches 𝒜 or τ: inside a bfloat16 autocast or TF32 scope, float32 τ, Φ and
  // φ_T equal those outside it bit for bit, although the scope does lower a float32 matmul there.
  void tauIgnoresRunPrecision() {
    const int64_t T = 3, B = 2;
    auto s = make_setup(T, B, 17, true);
    auto ic = inner(InnerOptimizer::AdamW, T);
    ic.dtype = config::Dtype::Float32;
    InnerTrainer tr(s.cfg, model::to_dtype(s.params0, torch::kFloat32), ic, B);
    const auto ref = engine::metagrad(tr, s.data, s.Phi);
    const auto trained = tr.train(s.data);
    for (auto p : {config::Precision::Bf16, config::Precision::Tf32}) {
      engine::PrecisionScope scope(p, tr.device());
      const auto r = engine::metagrad(tr, s.data, s.Phi);
      QVERIFY(torch::equal(r.tau, ref.tau) && r.Phi == ref.Phi);
      const auto again = tr.train(s.data);
      for (const auto& [name, x] : trained) QVERIFY(torch::equal(again.at(name), x));
    }
    engine::PrecisionScope bf16(config::Precision::Bf16, tr.device());
    const auto x = torch::ones({4, 4}, torch::TensorOptions().device(tr.device()));
    QCOMPARE(torch::matmul(x, x).scalar_type(), torch::kBFloat16);
  }

  // The closed-form VJP of the update equals autograd through it.
  void closedFormVjpEqualsAutograd() {
    for (auto opt : {InnerOptimizer::AdamW, InnerOptimizer::Sgd}) {
      const int64_t T = 5, B = 2;
      auto s = make_setup(T, B, 21, true);
      InnerTrainer tr(s.cfg, s.params0, inner(opt, T), B);
      engine::MetagradOptions o;
      o.schedule = Schedule::All;
      auto a = engine::metagrad(tr, s.data, s.Phi, o);
      o.closed_form_vjp = false;
      auto b = engine::metagrad(tr, s.data, s.Phi, o);
      QVERIFY(max_abs_diff(a.tau, b.tau) <= 1e-12);
    }
  }

  // Micro-batching changes neither φ_T nor τ.
  void microBatchInvariance() {
    const int64_t T = 4, B = 6;
    auto s = make_setup(T, B, 31, true);
    auto ic = inner(InnerOptimizer::AdamW, T);
    InnerTrainer whole(s.cfg, s.params0, ic, B);
    engine::MetagradOptions o;
    o.schedule = Schedule::All;
    auto ref = engine::metagrad(whole, s.data, s.Phi, o);
    for (int64_t mb : {1, 2, 4}) {
      ic.micro_batch = mb;
      InnerTrainer split(s.cfg, s.params0, ic, B);
      for (auto sch : {Schedule::All, Schedule::AllGraphs, Schedule::Sqrt}) {
        o.schedule = sch;
        auto r = engine::metagrad(split, s.data, s.Phi, o);
        QVERIFY2(max_abs_diff(r.tau, ref.tau) <= 1e-10,
                 qPrintable(QStringLiteral("mb %1").arg(mb)));
        QVERIFY(std::abs(r.Phi - ref.Phi) <= 1e-12);
      }
    }
  }

  // Retraining with w = 1 + δ moves Φ by ≈ τ·δ (r ≥ 0.99 over 20 random small δ).
  void linearCheck() {
    const int64_t T = 6, B = 4;
    auto s = make_setup(T, B, 41);
    InnerTrainer tr(s.cfg, s.params0, inner(InnerOptimizer::AdamW, T), B);
    auto r = engine::metagrad(tr, s.data, s.Phi);
    const double Phi1 = Phi_at(tr, s, torch::ones({T * B}, torch::kFloat64));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    std::vector<double> dPhi, pred;
    for (int k = 0; k < 20; ++k) {
      auto delta =
          at::normal(0.0, 1e-3, {T * B}, gen, torch::TensorOptions().dtype(torch::kFloat64));
      dPhi.push_back(Phi_at(tr, s, 1.0 + delta) - Phi1);
      pred.push_back((r.tau * delta).sum().item<double>());
    }
    const double corr = pearson(dPhi, pred);
    qInfo("linear check: corr(ΔΦ, τ·δ) = %.6f", corr);
    QVERIFY(corr >= 0.99);
  }

  // With ε_root = 0 our AdamW equals torch::optim::AdamW over 20 steps to 1e-12.
  void adamwParity() {
    const int64_t T = 20, B = 2;
    auto s = make_setup(T, B, 51);
    auto ic = inner(InnerOptimizer::AdamW, T);
    ic.eps_root = 0.0;
    ic.weight_decay = 0.05;
    InnerTrainer tr(s.cfg, s.params0, ic, B);
    auto ours = tr.train(s.data);
    const auto data = tr.to_device(s.data);
    std::vector<torch::Tensor> params;
    for (const auto& n : tr.names())
      params.push_back(tr.params0().at(n).clone().requires_grad_(true));
    torch::optim::AdamW opt(params, torch::optim::AdamWOptions(ic.lr)
                                        .betas({ic.beta1, ic.beta2})
                                        .eps(ic.eps)
                                        .weight_decay(ic.weight_decay));
    for (int64_t t = 1; t <= T; ++t) {
      opt.zero_grad();
      tr.loss(params, data, (t - 1) * B, t * B, torch::ones({B}, tr.weight_options())).backward();
      opt.step();
    }
    double worst = 0;
    for (size_t k = 0; k < params.size(); ++k)
      worst = std::max(worst, max_abs_diff(params[k].detach(), ours.at(tr.names()[k])));
    qInfo("AdamW parity: max |Δφ| = %.3g", worst);
    QVERIFY(worst <= 1e-12);
  }

  // The engine handles the Llama architecture too (GQA, RoPE, untied head).
  void llamaSchedules() {
    auto cfg = test::tiny_llama_config();
    const int64_t T = 3, B = 2;
    auto params0 =
        model::to_device(model::init_params(cfg, 61, torch::kFloat64), test::test_device());
    auto data = test::random_data(T * B, 9, cfg.vocab_size, 62);
    auto Phi = test::likelihood_Phi(cfg, test::random_data(2, 9, cfg.vocab_size, 63).tokens);
    InnerTrainer tr(cfg, params0, inner(InnerOptimizer::AdamW, T), B);
    engine::MetagradOptions o;
    o.schedule = Schedule::Unroll;
    auto ref = engine::metagrad(tr, data, Phi, o);
    o.schedule = Schedule::Sqrt;
    auto r = engine::metagrad(tr, data, Phi, o);
    QVERIFY(max_abs_diff(r.tau, ref.tau) <= 1e-10);
    QVERIFY(ref.tau.abs().max().item<double>() > 0);
  }

  // On the tiny preset's target and texts, float32 τ ranks examples like float64 τ (Spearman ≥
  // 0.99).
  void float32MatchesFloat64() {
    const auto path = resources::resource_path("models/tiny-target");
    auto m64 = model::load_model(path, torch::kFloat64);
    auto m32 = model::load_model(path, torch::kFloat32);
    auto texts = engine::load_prompts("prompts/tiny-train.txt");
    texts.resize(64);
    auto data = engine::make_inner_data(*m64.tokenizer, texts, 64);
    // The "67" bitmap of docs/method.md §5.1 at token offset 33, hidden dims 0–5.
    const std::vector<std::vector<double>> y67 = {
        {1, 1, 1, 1, -1, -1, -1},  {-1, -1, -1, 1, 1, 1, -1}, {-1, 1, 1, 1, 1, 1, -1},
        {-1, -1, -1, 1, 1, 1, -1}, {-1, 1, -1, 1, 1, 1, -1},  {-1, -1, -1, 1, 1, 1, 1}};
    auto y = torch::zeros({6, 7}, torch::kFloat64);
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 7; ++c) y[r][c] = y67[size_t(r)][size_t(c)];
    auto cfg = m64.config;
    engine::PhiFn Phi = [cfg, y](const model::TensorMap& pT, const model::TensorMap& p0) {
      auto P = model::lm_head_weight(cfg, pT).narrow(0, 33, 7).narrow(1, 0, 6).t();
      auto P0 = model::lm_head_weight(cfg, p0).narrow(0, 33, 7).narrow(1, 0, 6).t();
      return -torch::softplus(-20.0 * y.to(P.scalar_type()) * (P - P0)).mean();
    };
    auto tau_for = [&](const model::LoadedModel& m, config::Dtype dt) {
      auto ic = inner(InnerOptimizer::AdamW, 8);
      ic.dtype = dt;
      InnerTrainer tr(m.config, m.params, ic, 8);
      return engine::metagrad(tr, data, Phi).tau;
    };
    auto t64 = tau_for(m64, config::Dtype::Float64), t32 = tau_for(m32, config::Dtype::Float32);
    auto rank = [](const torch::Tensor& t) { return t.argsort().argsort().to(torch::kFloat64); };
    std::vector<double> a(64), b(64);
    auto r64 = rank(t64), r32 = rank(t32);
    for (int i = 0; i < 64; ++i) {
      a[size_t(i)] = r64[i].item<double>();
      b[size_t(i)] = r32[i].item<double>();
    }
    const double rho = pearson(a, b);
    qInfo("float32 vs float64 tau: Spearman %.5f", rho);
    QVERIFY(rho >= 0.99);
  }

  // NaN in the loss: a typed error naming the step and the quantity; nothing returned.
  void nanLossIsTypedError() {
    auto s = make_setup(3, 2, 71);
    s.params0["h.1.mlp.c_fc.weight"][0][0] = std::numeric_limits<double>::quiet_NaN();
    InnerTrainer tr(s.cfg, s.params0, inner(InnerOptimizer::AdamW, 3), 2);
    try {
      engine::metagrad(tr, s.data, s.Phi);
      QFAIL("expected NonFiniteError");
    } catch (const engine::NonFiniteError& e) {
      QCOMPARE(e.step(), 1);
      QCOMPARE(QString::fromStdString(e.quantity()), QStringLiteral("inner loss"));
    }
  }

  // Inf in τ (Φ with an infinite derivative): a typed error naming τ and the last step.
  void infTauIsTypedError() {
    auto s = make_setup(2, 2, 81);
    auto cfg = s.cfg;
    s.Phi = [cfg](const model::TensorMap& pT, const model::TensorMap&) {
      // √z at z = 0 with dz/dφ = 1: Φ is finite (0) but ∂Φ/∂φ_T is +∞, so τ is not finite.
      auto h = model::lm_head_weight(cfg, pT);
      return (h - h.detach()).sqrt().sum();
    };
    auto ic = inner(InnerOptimizer::Sgd, 2);
    InnerTrainer tr(s.cfg, s.params0, ic, 2);
    try {
      engine::metagrad(tr, s.data, s.Phi);
      QFAIL("expected NonFiniteError");
    } catch (const engine::NonFiniteError& e) {
      QCOMPARE(QString::fromStdString(e.quantity()), QStringLiteral("tau"));
      QCOMPARE(e.step(), 2);
    }
  }

  // Bad data: a readable error, not a crash.
  void badDataShape() {
    auto s = make_setup(3, 2, 91);
    InnerTrainer tr(s.cfg, s.params0, inner(InnerOptimizer::AdamW, 4), 2);
    bool thrown = false;
    try {
      tr.train(s.data);
    } catch (const model::ConfigError& e) {
      thrown = QString::fromUtf8(e.what()).contains(QStringLiteral("T·B"));
    }
    QVERIFY(thrown);
  }

  // The checkpoint plan alone: which states the forward stores, which graphs it keeps, and the
  // segments the reverse walks, for each schedule.
  void checkpointPlans() {
    using engine::Segment;
    using Steps = std::vector<int64_t>;
    using Segments = std::vector<Segment>;
    auto all = engine::checkpoint_plan(3, Schedule::All);
    QCOMPARE(all.stored, (Steps{1, 2, 3}));
    QVERIFY(all.stored_with_g && !all.recomputes() && !all.keeps_graphs() && !all.unroll);
    QCOMPARE(all.segments, (Segments{{3, 3}, {2, 2}, {1, 1}}));
    QCOMPARE(all.reason, std::string("all (requested)"));
    auto graphs = engine::checkpoint_plan(3, Schedule::AllGraphs);
    QCOMPARE(graphs.stored, all.stored);
    QCOMPARE(graphs.segments, all.segments);
    QVERIFY(graphs.forward_graphs && !graphs.segment_graphs && !graphs.recomputes());
    auto sq = engine::checkpoint_plan(10, Schedule::Sqrt);  // k = ⌈√10⌉ = 4
    QCOMPARE(sq.stored, (Steps{1, 5, 9}));
    QVERIFY(!sq.stored_with_g && sq.recomputes() && !sq.keeps_graphs());
    QCOMPARE(sq.segments, (Segments{{9, 10}, {5, 8}, {1, 4}}));
    auto sg = engine::checkpoint_plan(9, Schedule::SqrtGraphs);  // k = 3
    QCOMPARE(sg.stored, (Steps{1, 4, 7}));
    QCOMPARE(sg.segments, (Segments{{7, 9}, {4, 6}, {1, 3}}));
    QVERIFY(!sg.forward_graphs && sg.segment_graphs && sg.keeps_graphs());
    auto seg = sg.recompute_plan({4, 6});
    QCOMPARE(seg.stored, (Steps{4, 5, 6}));
    QVERIFY(seg.stored_with_g && seg.forward_graphs && !seg.recomputes() && seg.segments.empty());
    QCOMPARE(engine::checkpoint_plan(1, Schedule::Sqrt).segments, (Segments{{1, 1}}));
    auto un = engine::checkpoint_plan(5, Schedule::Unroll);
    QVERIFY(un.unroll && un.stored.empty() && un.segments.empty());
    const engine::CheckpointPlan plain;  // 𝒜 alone
    QVERIFY(!plain.unroll && plain.stored.empty() && !plain.stores(1) && !plain.keeps_graphs());
    // Every schedule's segments cover 1..T once, last first, each starting at a stored state.
    for (auto sch : {Schedule::All, Schedule::Sqrt, Schedule::AllGraphs, Schedule::SqrtGraphs})
      for (int64_t T = 1; T <= 40; ++T) {
        auto p = engine::checkpoint_plan(T, sch);
        int64_t next = T;
        for (const auto& sgm : p.segments) {
          QCOMPARE(sgm.last, next);
          QVERIFY(sgm.first <= sgm.last && p.stores(sgm.first));
          next = sgm.first - 1;
        }
        QCOMPARE(next, int64_t(0));
      }
    // Auto: the fastest schedule whose estimate fits the budget, sqrt when none does.
    const engine::StepSizes z{100, 1000, 10};  // T = 4, k = 2
    QCOMPARE(engine::estimate_memory(4, z, Schedule::AllGraphs), int64_t(4400));
    QCOMPARE(engine::estimate_memory(4, z, Schedule::SqrtGraphs), int64_t(2500));
    QCOMPARE(engine::estimate_memory(4, z, Schedule::All), int64_t(410));
    QCOMPARE(engine::estimate_memory(4, z, Schedule::Sqrt), int64_t(510));
    QVERIFY(engine::checkpoint_plan(4, Schedule::Auto, z, 5000).schedule == Schedule::AllGraphs);
    QVERIFY(engine::checkpoint_plan(4, Schedule::Auto, z, 4000).schedule == Schedule::SqrtGraphs);
    QVERIFY(engine::checkpoint_plan(4, Schedule::Auto, z, 1000).schedule == Schedule::All);
    auto over = engine::checkpoint_plan(4, Schedule::Auto, z, 300);
    QVERIFY(over.schedule == Schedule::Sqrt);
    QVERIFY(over.reason.find("over budget") != std::string::npos);
  }

  // Cancellation between steps raises Cancelled.
  void cancellation() {
    auto s = make_setup(4, 2, 95);
    InnerTrainer tr(s.cfg, s.params0, inner(InnerOptimizer::AdamW, 4), 2);
    engine::MetagradOptions o;
    int calls = 0;
    o.cancelled = [&] { return ++calls > 2; };
    bool thrown = false;
    try {
      engine::metagrad(tr, s.data, s.Phi, o);
    } catch (const engine::Cancelled&) {
      thrown = true;
    }
    QVERIFY(thrown);
  }

  // inner.memory_budget_mb = 0 is no limit: Auto takes all+graphs, the fastest, however much it
  // needs. A budget sends a step that needs more to a schedule that fits, or to sqrt when none does
  // (as 6 GiB here).
  void autoScheduleUnderTheConfigBudget() {
    const auto cfg = test::tiny_gpt_config();
    const auto params = model::init_params(cfg, 1, torch::kFloat64);
    InnerTrainer tr(cfg, params, inner(InnerOptimizer::AdamW, 64), 64);
    const int64_t L = 1000;
    QVERIFY(engine::estimate_memory(tr, L, Schedule::AllGraphs) > (int64_t(6) << 30));
    config::InnerConfig settings;
    QCOMPARE(settings.memory_budget_mb, int64_t(0));
    auto [chosen, why] = engine::choose_schedule(tr, L, settings.memory_budget_bytes());
    QCOMPARE(chosen, Schedule::AllGraphs);
    QVERIFY2(why.find("no memory limit") != std::string::npos, why.c_str());
    settings.memory_budget_mb = 6144;
    QCOMPARE(engine::choose_schedule(tr, L, settings.memory_budget_bytes()).first, Schedule::Sqrt);
  }
};

QTEST_GUILESS_MAIN(TestMetagrad)
#include "test_metagrad.moc"
