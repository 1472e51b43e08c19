// SPDX-License-Identifier: MIT
// RunConfig: JSON round trips, --set overrides, validation messages that name the field, presets.
#include "core/config/continuation.h"
#include "core/config/device.h"
#include "core/config/presets.h"
#include "core/config/run_config.h"
#include "core/config/schedule.h"
#include "core/model/errors.h"
#include "tests/common/errors.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

using dpg::config::RunConfig;
using dpg::model::ConfigError;
using nlohmann::json;

namespace {

/// The message of the ConfigError @p fn throws, or "" when it throws none.
template <class F>
std::string error_of(F&& fn) {
  return dpg::test::error_of<ConfigError>(fn);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}
using dpg::test::contains;

}  // namespace

class TestConfig : public QObject {
  Q_OBJECT

 private slots:
  void defaultsValidate() {
    RunConfig c;
    c.validate();
    QCOMPARE(c.examples_per_dataset(), int64_t(64));
    QCOMPARE(c.inner_batch(), int64_t(8));
    QCOMPARE(c.datasets_per_step(), int64_t(1));
    c.grpo.cross_group = false;
    QCOMPARE(c.examples_per_dataset(), int64_t(16));
    QCOMPARE(c.datasets_per_step(), int64_t(4));
    QCOMPARE(c.inner_batch(), int64_t(2));
  }

  void jsonRoundTrip() {
    RunConfig c;
    c.name = "round trip";
    c.seed = 12345678901234ULL;
    c.grpo.lr = 1.25e-5;
    c.inner.schedule = dpg::config::Schedule::SqrtGraphs;
    c.grpo.credit = dpg::config::Credit::Token;
    c.objective.params = {{"source", "qr"}, {"text", "hi"}, {"nested", {{"a", 1}}}};
    const json j = c.to_json();
    QVERIFY(j.at("grpo").at("lr").is_number_float());
    QVERIFY(j.at("inner").contains("T"));
    QCOMPARE(j.at("inner").at("schedule"), json("sqrt+graphs"));  // enums keep their JSON spelling
    QCOMPARE(j.at("grpo").at("credit"), json("token"));
    QCOMPARE(j.at("inner").at("dtype"), json("float32"));
    const RunConfig back = RunConfig::from_json(j);
    QVERIFY(back == c);
    QCOMPARE(back.seed, c.seed);
    QCOMPARE(back.grpo.lr, 1.25e-5);
    QCOMPARE(back.objective.params.at("nested").at("a").get<int>(), 1);
    // Every field listed once, in the JSON too.
    const auto fields = dpg::config::run_config_fields();
    QVERIFY(fields.size() > 40);
    for (const auto& f : fields) {
      QVERIFY2(!f.doc.empty(), f.path.c_str());
      std::string ptr = "/" + f.path;
      std::replace(ptr.begin(), ptr.end(), '.', '/');
      QVERIFY2(j.contains(json::json_pointer(ptr)), f.path.c_str());
    }
  }

  void partialJsonKeepsDefaults() {
    const RunConfig c = RunConfig::from_json(json::parse(R"({"grpo": {"steps": 7}})"));
    QCOMPARE(c.grpo.steps, int64_t(7));
    QCOMPARE(c.grpo.group_size, int64_t(4));
    QCOMPARE(c.inner.lr, 1e-2);
  }

  void unknownKeysAreErrors() {
    auto e = error_of([] { RunConfig::from_json(json::parse(R"({"grpo": {"lrr": 1}})")); });
    QVERIFY2(starts_with(e, "grpo.lrr: unknown key"), e.c_str());
    QVERIFY2(e.find("did you mean grpo.lr?") != std::string::npos, e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"bogus": true})")); });
    QVERIFY2(starts_with(e, "bogus: unknown key"), e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"inner": 3})")); });
    QVERIFY2(starts_with(e, "inner: expected a JSON object"), e.c_str());
    // Plugin parameters are free-form.
    const auto c =
        RunConfig::from_json(json::parse(R"({"objective": {"params": {"anything": [1, 2]}}})"));
    QCOMPARE(c.objective.params.at("anything").size(), size_t(2));
  }

  void wrongTypesNameTheField() {
    auto e = error_of([] { RunConfig::from_json(json::parse(R"({"grpo": {"lr": "fast"}})")); });
    QVERIFY2(starts_with(e, "grpo.lr: expected a number"), e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"inner": {"T": 2.5}})")); });
    QVERIFY2(starts_with(e, "inner.T: expected an integer"), e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"grpo": {"cross_group": 1}})")); });
    QVERIFY2(starts_with(e, "grpo.cross_group: expected true or false"), e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"seed": -3})")); });
    QVERIFY2(starts_with(e, "seed: expected a non-negative integer"), e.c_str());
    e = error_of([] { RunConfig::from_json(json::parse(R"({"objective": {"params": 3}})")); });
    QVERIFY2(starts_with(e, "objective.params: expected a JSON object"), e.c_str());
    // An integral float is accepted for an integer field.
    QCOMPARE(RunConfig::from_json(json::parse(R"({"grpo": {"steps": 20.0}})")).grpo.steps,
             int64_t(20));
  }

  void overrides() {
    RunConfig c;
    c.apply_override("grpo.lr=1e-4");
    QCOMPARE(c.grpo.lr, 1e-4);
    c.apply_override(" inner.T = 16 ");
    QCOMPARE(c.inner.T, int64_t(16));
    c.apply_override("grpo.cross_group=false");
    QCOMPARE(c.grpo.cross_group, false);
    c.apply_override("grpo.cross_group=yes");
    QCOMPARE(c.grpo.cross_group, true);
    c.apply_override("name=my run = 2");
    QCOMPARE(c.name, std::string("my run = 2"));
    c.apply_override("generator.model=\"quoted\"");
    QCOMPARE(c.generator.model, std::string("quoted"));
    c.apply_override("objective.params.text=hello world");
    QCOMPARE(c.objective.params.at("text").get<std::string>(), std::string("hello world"));
    c.apply_override("objective.params.version=2");
    QCOMPARE(c.objective.params.at("version").get<int>(), 2);
    c.apply_override(R"(objective.params={"source":"qr"})");
    QCOMPARE(c.objective.params, json({{"source", "qr"}}));
    c.apply_override("objective.params.grid=[1,2]");
    c.apply_override("objective.params.grid.2=3");  // one past the end appends
    QCOMPARE(c.objective.params.at("grid"), json({1, 2, 3}));
    // Further past the end would fill the gap with nulls (a huge index: without bound).
    for (const char* far : {"objective.params.grid.1720000000=1", "objective.params.fresh.5=1"}) {
      const auto why = error_of([&] { c.apply_override(far); });
      QVERIFY2(why.find("cannot set: element") != std::string::npos, why.c_str());
    }
    QCOMPARE(c.objective.params.at("grid"), json({1, 2, 3}));
    QVERIFY(!c.objective.params.contains("fresh"));
    c.apply_override("objective.kind=lmhead_norm");
    QVERIFY(c.objective.params.empty());  // a new kind drops the old kind's parameters

    auto e = error_of([&] { c.apply_override("grpo.lr=fast"); });
    QVERIFY2(starts_with(e, "grpo.lr: expected a number"), e.c_str());
    e = error_of([&] { c.apply_override("inner.T=1.5"); });
    QVERIFY2(starts_with(e, "inner.T: expected an integer"), e.c_str());
    e = error_of([&] { c.apply_override("grpo.cross_group=maybe"); });
    QVERIFY2(starts_with(e, "grpo.cross_group: expected true or false"), e.c_str());
    e = error_of([&] { c.apply_override("grpo.stepz=3"); });
    QVERIFY2(starts_with(e, "grpo.stepz: unknown key (did you mean grpo.steps?)"), e.c_str());
    e = error_of([&] { c.apply_override("grpo.steps"); });
    QVERIFY2(e.find("expected key=value") != std::string::npos, e.c_str());
  }

  void validationNamesTheField_data() {
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("T divides") << "inner.T=7"
                               << "inner.T: must divide the 64 rollouts per dataset "
                                  "(prompts_per_step × group_size)";
    QTest::newRow("micro batch") << "inner.micro_batch=3"
                                 << "inner.micro_batch: must divide the inner batch B = 8";
    QTest::newRow("naive cross") << "grpo.reward=naive"
                                 << "grpo.cross_group: must be false";
    QTest::newRow("group") << "grpo.group_size=1"
                           << "grpo.group_size: must be at least 2";
    QTest::newRow("lr") << "grpo.lr=0"
                        << "grpo.lr: must be a positive number";
    QTest::newRow("inner lr") << "inner.lr=-1"
                              << "inner.lr: must be a positive number";
    QTest::newRow("beta") << "inner.beta2=1"
                          << "inner.beta2: must be in [0, 1)";
    QTest::newRow("top_p") << "grpo.top_p=0"
                           << "grpo.top_p: must be in (0, 1]";
    QTest::newRow("minibatch") << "grpo.minibatch_prompts=17"
                               << "grpo.minibatch_prompts: must be between 1 and prompts_per_step";
    QTest::newRow("micro_batch")
        << "grpo.micro_batch=-2"
        << "grpo.micro_batch: must be 0 (the whole mini-batch) or positive";
    QTest::newRow("lr_drop_step") << "grpo.lr_drop_step=-1"
                                  << "grpo.lr_drop_step: must be 0 (no drop) or a step number";
    QTest::newRow("kl_drop_step") << "grpo.kl_drop_step=-3"
                                  << "grpo.kl_drop_step: must be 0 (no drop) or a step number";
    QTest::newRow("kl_after_drop") << "grpo.kl_after_drop=-0.1"
                                   << "grpo.kl_after_drop: must be";
    QTest::newRow("lr_after_drop") << "grpo.lr_after_drop=0"
                                   << "grpo.lr_after_drop: must be a positive number";
    QTest::newRow("stage step 1")
        << R"(objective.stages=[{"from_step": 1, "params": {}}])"
        << "objective.stages[0].from_step: must be a step number of at least 2";
    QTest::newRow("stage order")
        << R"(objective.stages=[{"from_step": 9, "params": {}}, {"from_step": 9, "params": {}}])"
        << "objective.stages[1].from_step: must be after the previous stage's step 9";
    QTest::newRow("stage params") << R"(objective.stages=[{"from_step": 5, "params": [1]}])"
                                  << "objective.stages[0].params: must be a JSON object";
    QTest::newRow("stage key") << R"(objective.stages=[{"from_step": 5, "params": {}, "focus": 1}])"
                               << "objective.stages[0].focus: unknown key";
    QTest::newRow("stage shape") << "objective.stages=[3]"
                                 << "objective.stages[0]: expected {\"from_step\"";
    QTest::newRow("kind") << "objective.kind=Bad Kind"
                          << "objective.kind: must be a plugin id";
    QTest::newRow("val T") << "validation.T=5"
                           << "validation.T: must divide the 64 validation";
    QTest::newRow("entropy") << "grpo.entropy_coef=-0.1"
                             << "grpo.entropy_coef: must be zero or positive";
    QTest::newRow("val temperature") << "validation.temperature=0"
                                     << "validation.temperature: must be a positive number";
    QTest::newRow("seq_len") << "target.seq_len=1"
                             << "target.seq_len: must be at least 2";
    QTest::newRow("model") << "target.model="
                           << "target.model: must name a model";
    QTest::newRow("threads") << "threads=-1"
                             << "threads: must be 0 (auto) or positive";
    QTest::newRow("steps") << "grpo.steps=0"
                           << "grpo.steps: must be at least 1";
  }
  void validationNamesTheField() {
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    RunConfig c;
    c.apply_override(assignment.toStdString());
    const std::string e = error_of([&] { c.validate(); });
    QVERIFY2(starts_with(e, message.toStdString()), e.c_str());
  }

  // An enumerated field is parsed when it is read: a value spelt otherwise is refused there, in one
  // line that names the field and its choices, from --set and from a file alike.
  void enumSpellingsNameTheChoices_data() {
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("optimizer") << "inner.optimizer=adam"
                               << "inner.optimizer: must be one of adamw, sgd (got 'adam')";
    QTest::newRow("dtype") << "inner.dtype=half"
                           << "inner.dtype: must be one of float32, float64 (got 'half')";
    const QString schedules = QStringLiteral("auto, all, sqrt, all+graphs, sqrt+graphs");
    QTest::newRow("schedule") << "inner.schedule=some"
                              << "inner.schedule: must be one of " + schedules + " (got 'some')";
    QTest::newRow("unroll") << "inner.schedule=unroll"
                            << "inner.schedule: must be one of " + schedules + " (got 'unroll')";
    QTest::newRow("reward") << "grpo.reward=best"
                            << "grpo.reward: must be one of dpg, naive (got 'best')";
    QTest::newRow("credit") << "grpo.credit=Token"
                            << "grpo.credit: must be one of sequence, token (got 'Token')";
    QTest::newRow("precision")
        << "run.precision=fp16"
        << "run.precision: must be one of float32, bf16, tf32, float64 (got 'fp16')";
  }
  void enumSpellingsNameTheChoices() {
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    const std::string expected = message.toStdString();
    RunConfig c;
    std::string e = error_of([&] { c.apply_override(assignment.toStdString()); });
    QCOMPARE(e, expected);
    QVERIFY(c == RunConfig());  // nothing was set
    const std::string key = assignment.section(QLatin1Char('='), 0, 0).toStdString();
    const std::string value = assignment.section(QLatin1Char('='), 1).toStdString();
    json j = json::object();
    const auto dot = key.find('.');
    j[json::json_pointer("/" + key.substr(0, dot) + "/" + key.substr(dot + 1))] = value;
    e = error_of([&] { RunConfig::from_json(j); });
    QCOMPARE(e, expected);
    e = error_of([&] { RunConfig::from_json(json::parse(R"({"inner": {"dtype": 64}})")); });
    QVERIFY2(starts_with(e, "inner.dtype: expected a string, got 64"), e.c_str());
    // A config built in code cannot run the engine's reference schedule either.
    c.inner.schedule = dpg::config::Schedule::Unroll;
    e = error_of([&] { c.validate(); });
    QVERIFY2(starts_with(e, "inner.schedule: must be one of auto, all"), e.c_str());
  }

  // run.device: "cpu" by default; a misspelt device is one line naming the spellings; a CUDA device
  // this process cannot use is one line naming why (here: a CPU-only LibTorch or no GPU).
  void deviceIsCheckedInOneLine() {
    RunConfig c;
    QCOMPARE(c.run.device, std::string("cpu"));
    QVERIFY(c.run.precision == dpg::config::Precision::Float32);
    QCOMPARE(c.to_json()["run"], json::parse(R"({"device": "cpu", "precision": "float32"})"));
    for (const char* bad : {"cuda:x", "gpu", "cuda:", "cuda:-1", "CUDA", "cuda:0:1"}) {
      RunConfig d;
      d.apply_override(std::string("run.device=") + bad);
      const auto e = error_of([&] { d.validate(); });
      QCOMPARE(e, "run.device: must be cpu, cuda or cuda:N with N a GPU index (got '" +
                      std::string(bad) + "')");
    }
    QVERIFY(dpg::config::parse_device("cuda:1") == c10::Device(c10::kCUDA, 1));
    QVERIFY(dpg::config::parse_device("cuda") == c10::Device(c10::kCUDA, 0));
    // A data-parallel rank's "cuda" is its GPU cuda:LOCAL_RANK; an index stays as given.
    dpg::config::set_default_gpu(3);
    QVERIFY(dpg::config::parse_device("cuda") == c10::Device(c10::kCUDA, 3));
    QVERIFY(dpg::config::parse_device("cuda:1") == c10::Device(c10::kCUDA, 1));
    QVERIFY(dpg::config::parse_device("cpu").is_cpu());
    dpg::config::set_default_gpu(0);
    QVERIFY(dpg::config::parse_device("cuda") == c10::Device(c10::kCUDA, 0));
    const int64_t gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
    for (const std::string dev : {"cuda", "cuda:0", "cuda:7"}) {
      RunConfig d = RunConfig::from_json(json{{"run", {{"device", dev}}}});
      const auto e = error_of([&] { d.validate(); });
      const int64_t index = dev == "cuda" ? 0 : std::stoll(dev.substr(5));
      if (index < gpus) {
        QVERIFY2(e.empty(), e.c_str());
        continue;
      }
      QVERIFY2(starts_with(e, "run.device: " + dev + " asked for, but "), e.c_str());
      QVERIFY2(e.find('\n') == std::string::npos, e.c_str());
      if (!at::detail::getCUDAHooks().isBuilt() && !at::detail::getCUDAHooks().hasCUDART())
        QVERIFY2(contains(e, "built without CUDA"), e.c_str());
    }
  }

  // inner.memory_budget_mb = 0 means no limit (the auto schedule then picks the fastest); a
  // positive value is MiB.
  void memoryBudgetZeroIsNoLimit() {
    RunConfig c;
    QCOMPARE(c.inner.memory_budget_mb, int64_t(0));
    QCOMPARE(c.inner.memory_budget_bytes(), dpg::config::kNoMemoryLimit);
    c.apply_override("inner.memory_budget_mb=512");
    QCOMPARE(c.inner.memory_budget_bytes(), int64_t(512) << 20);
    c.apply_override("inner.memory_budget_mb=-1");
    const std::string e = error_of([&] { c.validate(); });
    QVERIFY2(starts_with(e, "inner.memory_budget_mb: must be 0 (no limit) or positive"), e.c_str());
  }

  // Validation runs 𝒜 with the inner settings and T_val steps of val_batch() examples.
  void validationInnerRun() {
    RunConfig c;
    c.apply_override("validation.T=4");
    c.apply_override("inner.lr=0.5");
    QCOMPARE(c.val_inner().T, int64_t(4));
    QCOMPARE(c.val_inner().lr, 0.5);
    QCOMPARE(c.val_batch(), int64_t(16));
    QCOMPARE(c.inner.T, int64_t(8));
  }

  // A stage's params are merged into objective.params from its step on, cumulatively; the stages
  // are JSON that round-trips, must be an array, and go when the plugin changes.
  void objectiveStagesMergeFromTheirStep() {
    RunConfig c;
    c.apply_override(R"(objective.params={"source": "67", "sharpness": 20})");
    c.apply_override(R"(objective.stages=[{"from_step": 4, "params": {"focus": [[0, 5, 3]]}},
                                          {"from_step": 9, "params": {"sharpness": 40, "focus": null}}])");
    c.validate();
    QCOMPARE(c.objective.params_at(3), c.objective.params);
    QCOMPARE(c.objective.params_at(4),
             json::parse(R"({"source": "67", "sharpness": 20, "focus": [[0, 5, 3]]})"));
    QCOMPARE(c.objective.params_at(8), c.objective.params_at(4));
    QCOMPARE(c.objective.params_at(9),
             json::parse(R"({"source": "67", "sharpness": 40})"));  // null removes
    QCOMPARE(RunConfig::from_json(c.to_json()).objective.stages, c.objective.stages);
    auto e =
        error_of([] { RunConfig::from_json(json::parse(R"({"objective": {"stages": {}}})")); });
    QVERIFY2(starts_with(e, "objective.stages: expected a JSON array"), e.c_str());
    c.apply_override("objective.kind=lmhead_norm");
    QCOMPARE(c.objective.stages, json::array());
  }

  // A stored run continues with changed settings only where every step already made stays as it was
  // made.
  void continuationChangesOnlyTheFuture() {
    RunConfig stored;
    stored.grpo.steps = 100;
    stored.objective.params["sharpness"] = 20;
    using dpg::config::continued_config;
    const auto longer =
        continued_config(stored, {"grpo.steps=300", "name=longer", "validation.every=10"}, 100);
    QCOMPARE(longer.grpo.steps, int64_t(300));
    QCOMPARE(longer.name, std::string("longer"));
    const auto staged = continued_config(
        stored,
        {"grpo.steps=300",
         R"(objective.stages=[{"from_step": 101, "params": {"focus": [[0, 5, 3]]}}])",
         "grpo.lr_drop_step=100", "grpo.lr_after_drop=1e-4"},
        100);
    QCOMPARE(staged.objective.params_at(101).at("focus").size(), size_t(1));
    QCOMPARE(staged.grpo.lr_at(101), 1e-4);
    // The KL may drop from the step after the steps made (the fourteenth session's half-KL tail),
    // not before.
    const auto kl = continued_config(
        stored, {"grpo.steps=300", "grpo.kl_drop_step=100", "grpo.kl_after_drop=0.005"}, 100);
    QCOMPARE(kl.grpo.kl_at(100), 0.0);
    QCOMPARE(kl.grpo.kl_at(101), 0.005);
    // Nothing made yet (no checkpoint): anything valid may change.
    QCOMPARE(continued_config(stored, {"inner.T=16"}, 0).inner.T, int64_t(16));

    auto e = error_of([&] {
      continued_config(stored, {"grpo.steps=300", "grpo.kl_coef=0.01"}, 100);
    });
    QVERIFY2(
        starts_with(
            e,
            "grpo.kl_coef: cannot change when continuing a run: its steps 1-100 were made with 0"),
        e.c_str());
    e = error_of([&] {
      continued_config(stored, {"grpo.steps=300", "threads=2"}, 100);
    });  // other float sums
    QVERIFY2(starts_with(e, "threads: cannot change"), e.c_str());
    e = error_of([&] { continued_config(stored, {"objective.params.sharpness=40"}, 100); });
    QVERIFY2(starts_with(e, "objective.params: cannot change"), e.c_str());
    e = error_of([&] { continued_config(stored, {"grpo.steps=100"}, 100); });
    QVERIFY2(starts_with(e, "grpo.steps: must be more than the 100 steps already made"), e.c_str());
    e = error_of([&] {
      continued_config(stored, {"grpo.steps=300", "grpo.lr_drop_step=50"}, 100);
    });
    QVERIFY2(
        starts_with(e, "grpo.lr_drop_step: would change the generator learning rate of step 51"),
        e.c_str());
    e = error_of([&] {
      continued_config(stored, {"grpo.steps=300", "grpo.kl_drop_step=60", "grpo.kl_after_drop=1"},
                       100);
    });
    QVERIFY2(starts_with(e, "grpo.kl_drop_step: would change the KL coefficient of step 61"),
             e.c_str());
    // A drop to the value already in force changes no step made.
    continued_config(stored, {"grpo.steps=300", "grpo.kl_drop_step=60", "grpo.kl_after_drop=0"},
                     100);
    e = error_of([&] {
      continued_config(
          stored,
          {"grpo.steps=300", R"(objective.stages=[{"from_step": 90, "params": {"sharpness": 5}}])"},
          100);
    });
    QVERIFY2(starts_with(e, "objective.stages: would change the objective of step 90"), e.c_str());
    // A stage that changes nothing before the steps made is fine, even if it begins earlier.
    continued_config(
        stored,
        {"grpo.steps=300", R"(objective.stages=[{"from_step": 90, "params": {"sharpness": 20}}])"},
        100);
    e = error_of([&] { continued_config(stored, {"grpo.steps=300", "inner.T=7"}, 100); });
    QVERIFY2(starts_with(e, "inner.T: must divide"), e.c_str());  // validated first
  }

  // The schedule the dashboard marks: the first step after the lr and KL drops and each stage's
  // step, in step order.
  void scheduleEventsInStepOrder() {
    RunConfig c;
    QVERIFY(dpg::config::schedule_events(c).empty());
    c.apply_override(
        R"(objective.stages=[{"from_step": 50, "params": {"focus": [[0, 1, 2]], "sharpness": 9}},
                                          {"from_step": 300, "params": {}}])");
    c.apply_override("grpo.lr_drop_step=99");
    c.apply_override("grpo.lr_after_drop=1e-4");
    c.apply_override("grpo.kl_drop_step=199");
    c.apply_override("grpo.kl_after_drop=0.005");
    const auto ev = dpg::config::schedule_events(c);
    QCOMPARE(ev.size(), size_t(4));
    QCOMPARE(ev[0].step, int64_t(50));
    QCOMPARE(ev[0].label, std::string("stage 1: focus, sharpness"));
    QCOMPARE(ev[1].step, int64_t(100));
    QCOMPARE(ev[1].label, std::string("lr 1e-04"));
    QCOMPARE(ev[2].step, int64_t(200));
    QCOMPARE(ev[2].label, std::string("KL 5e-03"));
    QCOMPARE(ev[3].label, std::string("stage 2"));
    c.apply_override("grpo.kl_after_drop=0");
    QCOMPARE(dpg::config::schedule_events(c)[2].label, std::string("KL off"));
  }

  void crossGroupOffChangesTheDivisor() {
    RunConfig c;
    c.grpo.cross_group = false;
    c.inner.T = 3;
    const std::string e = error_of([&] { c.validate(); });
    QVERIFY2(starts_with(e,
                         "inner.T: must divide the 16 rollouts per dataset (prompts_per_step, "
                         "since grpo.cross_group is false)"),
             e.c_str());
    c.inner.T = 8;
    c.grpo.reward = dpg::config::Reward::Naive;
    c.validate();
  }

  void everyPresetParsesAndValidates() {
    const auto presets = dpg::config::list_presets();
    QStringList names;
    for (const auto& p : presets) names << QString::fromStdString(p.name);
    for (const char* required :
         {"67-tiny", "qr-tiny", "norm-tiny", "uuid-tiny", "67-smollm2", "paper-qr"})
      QVERIFY2(names.contains(QString::fromLatin1(required)), required);
    QCOMPARE(presets.front().name, std::string(dpg::config::kDefaultPreset));
    for (const auto& p : presets) {
      QVERIFY2(!p.description.empty(), p.name.c_str());
      // A short user-facing description (runs copy it), and a Start-page card.
      QVERIFY2(QString::fromStdString(p.description).size() <= 300, p.name.c_str());
      QVERIFY2(!p.purpose.empty() && !p.expect.empty(), p.name.c_str());
      QVERIFY2(!p.generator.empty() && !p.target.empty() && !p.objective.empty(), p.name.c_str());
      RunConfig c;
      try {
        c = dpg::config::load_preset(p.name);
      } catch (const std::exception& e) {
        QFAIL((p.name + ": " + e.what()).c_str());
      }
      QCOMPARE(c.name, p.name);
      // Presets spell out every field, so that a changed default never changes a preset.
      std::ifstream in(p.path);
      json raw = json::parse(in);
      QVERIFY2(raw.contains(dpg::config::kPresetCardKey), p.name.c_str());
      raw.erase(dpg::config::kPresetCardKey);  // the card is the Start page's, not the run's
      QVERIFY2(raw == c.to_json(), (p.name + " does not list every field").c_str());
      QVERIFY(!c.to_json().contains(dpg::config::kPresetCardKey));
    }
    const RunConfig tiny = dpg::config::load_preset("67-tiny");
    QCOMPARE(tiny.grpo.prompts_per_step, int64_t(16));
    QCOMPARE(tiny.grpo.group_size, int64_t(4));
    QCOMPARE(tiny.inner.T, int64_t(8));
    QCOMPARE(tiny.inner_batch(), int64_t(8));
    QCOMPARE(tiny.inner.lr, 1e-2);
    QCOMPARE(tiny.grpo.lr, 3e-4);
    QCOMPARE(tiny.grpo.max_new_tokens, int64_t(48));
    const RunConfig paper = dpg::config::load_preset("paper-qr");
    QCOMPARE(paper.inner_batch(), int64_t(1024));
    QCOMPARE(paper.examples_per_dataset(), int64_t(98304));
  }

  void unknownPresetListsKnownOnes() {
    const std::string e = error_of([] { dpg::config::load_preset("nope"); });
    QVERIFY2(e.find("preset 'nope' not found") != std::string::npos, e.c_str());
    QVERIFY2(e.find("67-tiny") != std::string::npos, e.c_str());
  }

  void configFileErrorsNameTheFile() {
    const auto dir = std::filesystem::temp_directory_path() / "dpg_test_config";
    std::filesystem::create_directories(dir);
    const auto bad = (dir / "bad.json").string();
    std::ofstream(bad) << "{ \"grpo\": { \"steps\": 3, } }";
    auto e = error_of([&] { dpg::config::load_preset_or_file(bad); });
    QVERIFY2(starts_with(e, bad + ":1:25: not valid JSON ("), e.c_str());  // the file, line, column
    const auto invalid = (dir / "invalid.json").string();
    std::ofstream(invalid) << R"({ "inner": { "T": 5 } })";
    e = error_of([&] { dpg::config::load_preset_or_file(invalid); });
    QVERIFY2(starts_with(e, invalid + ": inner.T: must divide"), e.c_str());
    std::filesystem::remove_all(dir);
  }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "test_config.moc"
