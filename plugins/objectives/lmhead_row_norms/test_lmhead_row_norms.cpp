// SPDX-License-Identifier: MIT
// The LM-head row-norm objective on hand-made weights: Φ and the metric by hand, Φ's gradient
// against finite differences, the view's bar images, and the parameter errors.
#include "plugins/objectives/lmhead_row_norms/lmhead_row_norms.h"

#include "core/model/transformer.h"

#include <QtTest/QtTest>

#include <cmath>

using dpg::objective::LmHeadRowNormsObjective;
namespace model = dpg::model;

namespace {

model::ModelConfig tiny_config() {
  model::ModelConfig c;
  c.arch = model::Arch::Gpt2;
  c.vocab_size = 40;
  c.n_layer = 1;
  c.n_head = 2;
  c.n_kv_head = 2;
  c.d_model = 8;
  c.d_ff = 16;
  c.max_ctx = 16;
  return c;
}

double softplus(double x) {
  return std::log1p(std::exp(x));
}

std::string error_of(const nlohmann::json& params) {
  try {
    LmHeadRowNormsObjective::create(params);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestLmHeadRowNorms : public QObject {
  Q_OBJECT

 private slots:
  void PhiAndMetricByHand() {
    const auto cfg = tiny_config();
    const auto params_0 = model::init_params(cfg, 5, torch::kFloat64);
    auto params_T = params_0;
    const std::string name = model::lm_head_name(cfg);
    auto w = params_0.at(name).clone();
    w[30] *= 1.5;  // bar 0 ('+') grows: right
    w[31] *= 0.5;  // bar 1 ('-') shrinks: right
    w[32] *= 0.9;  // bar 2 ('+') shrinks: wrong
    params_T[name] = w;
    const auto o = LmHeadRowNormsObjective::create(
        {{"bars", "+-+"}, {"token_offset", 30}, {"sharpness", 4.0}});
    double expected = 0.0;
    const double factors[] = {1.5, 0.5, 0.9};
    const int ys[] = {1, -1, 1};
    for (int j = 0; j < 3; ++j) {
      const double n0 = params_0.at(name)[30 + j].norm().item<double>();
      expected -= softplus(-4.0 * ys[j] * (factors[j] - 1.0) * n0) / 3.0;
    }
    const double got = o->Phi(cfg, params_T, params_0).item<double>();
    QVERIFY2(std::abs(got - expected) < 1e-12, QByteArray::number(got - expected, 'g', 6));
    const auto view = o->view(cfg, params_T, params_0);
    QVERIFY(std::abs(view.metric - 2.0 / 3.0) < 1e-12);
    QCOMPARE(view.target.rows, int64_t(1));
    QCOMPARE(view.target.cols, int64_t(3));
    QCOMPARE(view.target.data, (std::vector<float>{1.0f, -1.0f, 1.0f}));
    QCOMPARE(view.sign.data, (std::vector<float>{1.0f, -1.0f, -1.0f}));
    QVERIFY(o->metric_higher_is_better());
  }

  void gradientMatchesFiniteDifferences() {
    const auto cfg = tiny_config();
    const auto params_0 = model::init_params(cfg, 9, torch::kFloat64);
    const std::string name = model::lm_head_name(cfg);
    const auto o = LmHeadRowNormsObjective::create({{"bars", "-+"}, {"token_offset", 3}});
    auto params_T = params_0;
    const auto leaf = (params_0.at(name) * 1.01).detach().requires_grad_(true);
    params_T[name] = leaf;
    o->Phi(cfg, params_T, params_0).backward();
    const auto grad = leaf.grad();
    QCOMPARE(grad.narrow(0, 0, 3).abs().sum().item<double>(), 0.0);  // rows outside the bars
    QVERIFY(grad.narrow(0, 3, 2).abs().sum().item<double>() > 0);
    for (const auto& [row, col] : {std::pair{3, 0}, std::pair{4, 5}}) {
      const double h = 1e-6;
      auto plus = params_T, minus = params_T;
      plus[name] = leaf.detach().clone();
      minus[name] = leaf.detach().clone();
      plus[name][row][col] += h;
      minus[name][row][col] -= h;
      const double fd = (o->Phi(cfg, plus, params_0).item<double>() -
                         o->Phi(cfg, minus, params_0).item<double>()) /
                        (2 * h);
      QVERIFY2(std::abs(fd - grad[row][col].item<double>()) < 1e-7,
               QByteArray::number(fd, 'g', 10));
    }
  }

  void badParametersSayWhy() {
    const std::pair<nlohmann::json, std::string> cases[] = {
        {{{"bars", "+x"}}, "bars: 'x' is not '+' or '-'"},
        {{{"bars", ""}}, "bars: give at least one bar"},
        {{{"sharpness", 0}}, "sharpness: must be a positive number"},
        {{{"token_offset", -1}}, "token_offset: must not be negative"},
        {{{"barz", "+"}}, "barz: unknown parameter"}};
    for (const auto& [params, reason] : cases)
      QVERIFY2(error_of(params).starts_with("lmhead_row_norms: " + reason),
               error_of(params).c_str());
    const auto o = LmHeadRowNormsObjective::create({{"token_offset", 35}});  // 8 bars: ids 35..42
    try {
      o->check_compatible(tiny_config());
      QFAIL("a vocabulary of 40 fits no bars up to 42");
    } catch (const std::invalid_argument& e) {
      QCOMPARE(std::string(e.what()),
               std::string("bars need token ids 35..42; this target's vocabulary has 40 tokens"));
    }
  }
};

QTEST_GUILESS_MAIN(TestLmHeadRowNorms)
#include "test_lmhead_row_norms.moc"
