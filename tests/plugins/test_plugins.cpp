// SPDX-License-Identifier: MIT
// Objective plugins: every plugin in the build tree loads and declares its metadata; bad plugin
// files and bad parameters give clear errors; Φ and the metrics on hand-made tensors; QR codes
// decode with zbar; the "67" is the method doc's.
#include "core/config/presets.h"
#include "core/model/byte_tokenizer.h"
#include "core/model/transformer.h"
#include "core/objective/bitmap.h"
#include "core/plugin/plugin_registry.h"
#include "plugins/objectives/lmhead_bitmap/lmhead_bitmap.h"
#include "plugins/objectives/lmhead_bitmap/qr_damage.h"
#include "plugins/objectives/lmhead_bitmap/qr_scan.h"
#include "plugins/objectives/lmhead_norm/lmhead_norm.h"
#include "plugins/objectives/text_likelihood/text_likelihood.h"
#include "tests/common/errors.h"
#include "tests/common/test_paths.h"
#include "tests/common/tiny_configs.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPluginLoader>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>

using dpg::objective::Bitmap;
using dpg::plugin::PluginRegistry;
using dpg::test::contains;
using dpg::test::error_of;
using nlohmann::json;
namespace model = dpg::model;

namespace {

/// The objective plugins of this build tree.
QString plugin_dir() {
  return dpg::test::build_dir() + QStringLiteral("/plugins/objectives");
}

/// A one-block GPT-2 config small enough for hand-made weights.
model::ModelConfig tiny_config(int64_t vocab = 64, int64_t d_model = 24) {
  return dpg::test::tiny_config(
      model::Arch::Gpt2,
      {.vocab = vocab, .d_model = d_model, .layers = 1, .d_ff = 2 * d_model, .max_ctx = 32});
}

}  // namespace

class TestPlugins : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { qunsetenv("DPG_TEST_BAD_PLUGIN_CONSTRUCTED"); }

  // --- Plugins and the registry ---------------------------------------------------------------

  void everyPluginInTheBuildTreeLoads() {
    const QDir dir(plugin_dir());
    const auto files = dir.entryInfoList(QDir::Files);
    int plugins = 0;
    for (const QFileInfo& fi : files) {
      if (!QLibrary::isLibrary(fi.fileName())) continue;
      ++plugins;
      QPluginLoader loader(fi.absoluteFilePath());
      const QJsonObject meta = loader.metaData();
      QCOMPARE(meta.value(QStringLiteral("IID")).toString(),
               QStringLiteral(DPG_OBJECTIVE_PLUGIN_IID));
      const QJsonObject declared = meta.value(QStringLiteral("MetaData")).toObject();
      for (const char* key : {"id", "name", "description", "version", "apiVersion", "licence"})
        QVERIFY2(declared.contains(QLatin1String(key)),
                 qPrintable(fi.fileName() + QLatin1Char(' ') + QLatin1String(key)));
      QCOMPARE(declared.value(QStringLiteral("apiVersion")).toInt(),
               dpg::plugin::kObjectiveApiVersion);
      QVERIFY2(loader.load(), qPrintable(loader.errorString()));
      auto* plugin = qobject_cast<dpg::plugin::ObjectivePlugin*>(loader.instance());
      QVERIFY2(plugin, qPrintable(fi.fileName()));
      QCOMPARE(QString::fromStdString(plugin->id()),
               declared.value(QStringLiteral("id")).toString());
      const json params = plugin->parameters();
      QVERIFY(params.is_object());
      for (const auto& [name, spec] : params.items()) {
        QVERIFY2(spec.contains("type") && spec.contains("default") && spec.contains("doc"),
                 name.c_str());
        QVERIFY2(!spec["doc"].get<std::string>().empty(), name.c_str());
      }
    }
    QVERIFY(plugins >= 3);  // the three built in, and any other plugin folder of this checkout

    const PluginRegistry registry({plugin_dir().toStdString()});
    for (const char* kind : {"lmhead_bitmap", "lmhead_norm", "text_likelihood"})
      QVERIFY2(registry.find(kind), kind);
    QCOMPARE(registry.kinds().size(), size_t(plugins));
    for (const auto& info : registry.plugins()) {
      QVERIFY2(info.ok(), info.error.c_str());
      QVERIFY(!info.name.empty() && !info.description.empty() && !info.version.empty());
      QCOMPARE(info.licence, std::string("MIT"));
      QCOMPARE(info.api_version, 1);
    }
    QCOMPARE(registry.find("lmhead_norm")->name, std::string("LM-head norm"));
  }

  void defaultDirsFindTheBuildTreeAndHonourTheEnvironment() {
    const PluginRegistry registry;
    QCOMPARE(registry.kinds(), PluginRegistry({plugin_dir().toStdString()}).kinds());
    qputenv("DPG_PLUGIN_DIR", "/nonexistent/first:/nonexistent/second");
    const auto dirs = PluginRegistry::default_dirs();
    qunsetenv("DPG_PLUGIN_DIR");
    QCOMPARE(dirs.at(0), std::string("/nonexistent/first"));
    QCOMPARE(dirs.at(1), std::string("/nonexistent/second"));
    QVERIFY(std::find(dirs.begin(), dirs.end(), QDir::cleanPath(plugin_dir()).toStdString()) !=
            dirs.end());
  }

  void badPluginsAreRefusedBeforeInstantiation() {
    const PluginRegistry registry(
        {(dpg::test::build_dir() + QStringLiteral("/test-plugins")).toStdString()});
    QCOMPARE(registry.plugins().size(), size_t(2));
    QVERIFY(registry.kinds().empty());
    std::string api_error, iid_error;
    for (const auto& p : registry.plugins()) {
      QVERIFY(!p.ok());
      (contains(p.file, "bad_api") ? api_error : iid_error) = p.error;
    }
    QVERIFY2(
        contains(api_error, "objective plugin API version 2; this DPG Workbench speaks version 1"),
        api_error.c_str());
    QVERIFY2(contains(iid_error,
                      "built for objective plugin interface 2.0; this DPG Workbench speaks 1.0"),
             iid_error.c_str());
    const auto e = error_of([&] { registry.create("bad_api", json::object()); });
    QVERIFY2(contains(e, "unknown objective kind 'bad_api'") && contains(e, "was refused"),
             e.c_str());
    QVERIFY2(qgetenv("DPG_TEST_BAD_PLUGIN_CONSTRUCTED").isEmpty(),
             qgetenv("DPG_TEST_BAD_PLUGIN_CONSTRUCTED").constData());
  }

  void garbageFilesAndDuplicates() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    std::ofstream(dir.filePath(QStringLiteral("libgarbage.so")).toStdString()) << "not an ELF file";
    std::ofstream(dir.filePath(QStringLiteral("README.txt")).toStdString()) << "ignored";
    // The real plugins twice: the second copy of each id is refused as shadowed.
    const PluginRegistry registry(
        {dir.path().toStdString(), plugin_dir().toStdString(), plugin_dir().toStdString()});
    // The garbage file, then each real plugin twice.
    const size_t real = PluginRegistry({plugin_dir().toStdString()}).plugins().size();
    QVERIFY(real >= 3);
    QCOMPARE(registry.plugins().size(), 1 + 2 * real);
    const auto& garbage = registry.plugins().front();
    QVERIFY2(contains(garbage.file, "libgarbage.so") && contains(garbage.error, "not a Qt plugin"),
             garbage.error.c_str());
    QVERIFY(contains(registry.plugins().back().error, "is already provided by"));
    QCOMPARE(registry.kinds().size(), real);
    const auto info = PluginRegistry::inspect("/nonexistent/libnothing.so");
    QVERIFY(!info.ok());
  }

  void everyPluginCreatesADifferentiablePhi() {
    // As Okular loads each of its generators: every plugin library of the build tree loads, says
    // the id its objective.json declares, describes its parameters as JSON, and creates an
    // objective with its defaults (or its objective.json "example", for one that needs a reference)
    // on the tiny target, whose Φ is finite and has a finite gradient with respect to the trained
    // parameters.
    const PluginRegistry registry({plugin_dir().toStdString()});
    const model::ByteTokenizer tokenizer;
    auto cfg = tiny_config(257, 32);
    cfg.max_ctx = 64;
    const auto params_0 = model::init_params(cfg, 3, torch::kFloat64);
    int checked = 0;
    for (const auto& info : registry.plugins()) {
      QVERIFY2(info.ok(), (info.file + ": " + info.error).c_str());
      const auto& plugin = registry.plugin(info.id);
      QCOMPARE(plugin.id(), info.id);
      const json described = json::parse(plugin.parameters().dump());
      QVERIFY2(described.is_object(), info.id.c_str());
      json params = json::object();
      const QJsonObject meta = QPluginLoader(QString::fromStdString(info.file)).metaData();
      const auto example =
          meta.value(QStringLiteral("MetaData")).toObject().value(QStringLiteral("example"));
      if (example.isObject())
        params = json::parse(QJsonDocument(example.toObject()).toJson().toStdString());
      const dpg::plugin::TargetContext context{&tokenizer, 64, &cfg};
      const auto objective = registry.create(info.id, params, context);
      QCOMPARE(objective->kind(), info.id);
      objective->check_compatible(cfg);
      model::TensorMap params_T;
      for (const auto& [name, t] : params_0)
        params_T[name] = (t + 0.01 * torch::randn_like(t)).detach().requires_grad_(true);
      const auto Phi = objective->Phi(cfg, params_T, params_0);
      QVERIFY2(Phi.numel() == 1 && std::isfinite(Phi.item<double>()), info.id.c_str());
      Phi.backward();
      bool any_gradient = false;
      for (const auto& [name, t] : params_T)
        if (t.grad().defined()) {
          QVERIFY2(torch::isfinite(t.grad()).all().item<bool>(), (info.id + " " + name).c_str());
          any_gradient = any_gradient || t.grad().abs().sum().item<double>() > 0;
        }
      QVERIFY2(any_gradient, info.id.c_str());
      QVERIFY(std::isfinite(objective->view(cfg, params_T, params_0).metric));
      ++checked;
    }
    QVERIFY(checked >= 3);
  }

  void unknownKindListsTheKnownOnes() {
    const PluginRegistry registry({plugin_dir().toStdString()});
    auto e = error_of([&] { registry.create("lmhead_bitmapp", json::object()); });
    std::string known;  // every plugin of the build tree, sorted
    for (const auto& kind : registry.kinds()) known += (known.empty() ? "" : ", ") + kind;
    QVERIFY2(contains(e, "unknown objective kind 'lmhead_bitmapp' (known: " + known + ")"),
             e.c_str());
    QVERIFY2(contains(known, "lmhead_bitmap, lmhead_norm, ") && contains(known, "text_likelihood"),
             known.c_str());
    const PluginRegistry empty({"/nonexistent"});
    e = error_of([&] { empty.create("lmhead_norm", json::object()); });
    QVERIFY2(contains(e, "known: none") && contains(e, "DPG_PLUGIN_DIR"), e.c_str());
  }

  void badParametersSayWhy_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("params");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown key") << "lmhead_bitmap"
                                 << R"({"sourc": "67"})"
                                 << "lmhead_bitmap: sourc: unknown parameter (known: source,";
    QTest::newRow("bad choice") << "lmhead_bitmap"
                                << R"({"source": "jpeg"})"
                                << "lmhead_bitmap: source: must be one of 67, qr, bitmap, png";
    QTest::newRow("wrong type") << "lmhead_bitmap"
                                << R"({"token_offset": "a"})"
                                << "lmhead_bitmap: token_offset: expected an integer";
    QTest::newRow("qr no text") << "lmhead_bitmap"
                                << R"({"source": "qr"})"
                                << "lmhead_bitmap: text: source qr needs the text";
    QTest::newRow("qr too long")
        << "lmhead_bitmap"
        << R"({"source": "qr", "text": "https://example.com/a/rather/long/address"})"
        << "do not fit a version-1 code (21×21) at EC level L; it needs version";
    QTest::newRow("ragged bits") << "lmhead_bitmap"
                                 << R"({"source": "bitmap", "bits": ["#.", "#"]})"
                                 << "lmhead_bitmap: bits: bitmap: row 1 has 1 pixels, row 0 has 2";
    QTest::newRow("bits vs rows") << "lmhead_bitmap"
                                  << R"({"source": "bitmap", "bits": ["#.", ".#"], "rows": 3})"
                                  << "lmhead_bitmap: rows: is 3 but bits has 2 rows";
    QTest::newRow("one colour") << "lmhead_bitmap"
                                << R"({"source": "bitmap", "bits": ["##"]})"
                                << "all one colour";
    QTest::newRow("missing png") << "lmhead_bitmap"
                                 << R"({"source": "png", "png": "/no/such.png"})"
                                 << "lmhead_bitmap: png: /no/such.png: cannot read as PNG";
    QTest::newRow("sharpness") << "lmhead_bitmap"
                               << R"({"sharpness": 0})"
                               << "lmhead_bitmap: sharpness: must be a positive number";
    QTest::newRow("focus outside")
        << "lmhead_bitmap"
        << R"({"focus": [[6, 0, 2]]})"
        << "lmhead_bitmap: focus: [6,0,2] is not a pixel of the 6x7 image";
    QTest::newRow("focus triple") << "lmhead_bitmap"
                                  << R"({"focus": [[1, 2]]})"
                                  << "lmhead_bitmap: focus: expected [row, col, weight], got [1,2]";
    QTest::newRow("focus weight")
        << "lmhead_bitmap"
        << R"({"focus": [[1, 2, -1]]})"
        << "lmhead_bitmap: focus: [1,2,-1]: the weight must be a finite number >= 0";
    QTest::newRow("focus type") << "lmhead_bitmap"
                                << R"({"focus": [[1, 2, "x"]]})"
                                << "lmhead_bitmap: focus: expected an array of arrays of numbers";
    QTest::newRow("not object") << "lmhead_norm"
                                << "[1]"
                                << "lmhead_norm: parameters must be a JSON object";
    QTest::newRow("view rows") << "lmhead_norm"
                               << R"({"view_rows": 0})"
                               << "lmhead_norm: view_rows: must be at least 1";
    QTest::newRow("untokenised") << "text_likelihood"
                                 << R"({"text": "abc"})"
                                 << "text_likelihood: ids: missing: tokenise";
    QTest::newRow("nothing") << "text_likelihood"
                             << "{}"
                             << "text_likelihood: text: give a reference";
    QTest::newRow("no seq_len") << "text_likelihood"
                                << R"({"ids": [[1, 2, 3]]})"
                                << "text_likelihood: seq_len: must be at least 1";
    QTest::newRow("short ref") << "text_likelihood"
                               << R"({"ids": [[1]], "seq_len": 8})"
                               << "reference 0 has fewer than 2 tokens";
  }
  void badParametersSayWhy() {
    QFETCH(QString, kind);
    QFETCH(QString, params);
    QFETCH(QString, message);
    const PluginRegistry registry({plugin_dir().toStdString()});
    std::string e;
    try {
      registry.create(kind.toStdString(), json::parse(params.toStdString()));
    } catch (const std::invalid_argument& ex) {
      e = ex.what();
    }
    QVERIFY2(contains(e, message.toStdString()), e.c_str());
  }

  void everyPresetObjectiveCanBeCreated() {
    const PluginRegistry registry({plugin_dir().toStdString()});
    const model::ByteTokenizer tokenizer;
    for (const auto& preset : dpg::config::list_presets()) {
      const auto cfg = dpg::config::load_preset(preset.name);
      try {
        const auto objective =
            registry.create(cfg.objective.kind, cfg.objective.params,
                            dpg::plugin::TargetContext{&tokenizer, cfg.target.seq_len, nullptr});
        QCOMPARE(objective->kind(), cfg.objective.kind);
        if (preset.name.find("tiny") != std::string::npos) {  // the tiny target, docs/method.md §8
          auto target = tiny_config(257, 32);
          target.max_ctx = 64;
          objective->check_compatible(target);
        }
      } catch (const std::exception& e) {
        QFAIL((preset.name + ": " + e.what()).c_str());
      }
    }
  }

  // --- Objectives on hand-made tensors --------------------------------------------------------

  void bitmapPhiAndAccuracy() {
    const auto cfg = tiny_config();
    auto objective = dpg::objective::LmHeadBitmapObjective::create({{"source", "67"}});
    objective->check_compatible(cfg);
    QVERIFY(objective->metric_higher_is_better());
    const Bitmap y = dpg::objective::sixty_seven();
    model::TensorMap phi_0{{"wte.weight", torch::randn({64, 24}, torch::kFloat64)}};
    model::TensorMap phi_T{{"wte.weight", phi_0["wte.weight"].clone()}};
    // Move pixel (r, c) = hidden dim r of token 33 + c towards Y by 0.1; flip 3 pixels.
    const std::vector<std::pair<int, int>> flipped = {{0, 0}, {2, 3}, {5, 6}};
    double expected_phi = 0.0;
    for (int r = 0; r < y.rows(); ++r)
      for (int c = 0; c < y.cols(); ++c) {
        double step = y.dark(r, c) ? 0.1 : -0.1;
        if (std::find(flipped.begin(), flipped.end(), std::pair{r, c}) != flipped.end())
          step = -step;
        phi_T["wte.weight"].index_put_({33 + c, r}, phi_T["wte.weight"].index({33 + c, r}) + step);
        const double signed_delta = (y.dark(r, c) ? 1.0 : -1.0) * step;
        expected_phi -= std::log1p(std::exp(-20.0 * signed_delta)) / 42.0;
      }
    phi_T["wte.weight"].index_put_({40, 0}, 5.0);  // outside the patch: no effect
    const auto phi = objective->Phi(cfg, phi_T, phi_0);
    QCOMPARE(phi.scalar_type(), torch::kFloat64);
    QVERIFY2(std::abs(phi.item<double>() - expected_phi) < 1e-12,
             QByteArray::number(phi.item<double>(), 'g', 17));
    const auto view = objective->view(cfg, phi_T, phi_0);
    QCOMPARE(view.metric, 39.0 / 42.0);
    QCOMPARE(view.target.rows, int64_t(6));
    QCOMPARE(view.target.cols, int64_t(7));
    QCOMPARE(view.target.at(0, 0), 1.0f);
    QCOMPARE(view.sign.at(0, 0), -1.0f);  // flipped
    QCOMPARE(view.sign.at(1, 3), 1.0f);
    QVERIFY(std::abs(view.delta.at(1, 3) - 0.1f) < 1e-6f);
    // No change at all is no pixel right: sign(0) = 0 is neither +1 nor −1.
    QCOMPARE(objective->view(cfg, phi_0, phi_0).metric, 0.0);
    // The gradient touches the patch only.
    auto leaf = phi_T["wte.weight"].clone().requires_grad_(true);
    objective->Phi(cfg, {{"wte.weight", leaf}}, phi_0).backward();
    const auto g = leaf.grad();
    QVERIFY(g.index({33, 0}).item<double>() != 0.0);
    QCOMPARE(g.index({40, 0}).item<double>(), 0.0);
    QCOMPARE(g.index({33, 6}).item<double>(), 0.0);  // hidden dim 6 is outside the 6 rows
    QCOMPARE(g.abs().gt(0).sum().item<int64_t>(), int64_t(42));
  }

  /// A focus turns Φ into a weighted mean of the per-pixel softplus terms (hand-computed), and
  /// leaves the metric.
  void bitmapFocusWeightsPhi() {
    const auto cfg = tiny_config();
    auto plain = dpg::objective::LmHeadBitmapObjective::create({{"source", "67"}});
    auto focused = dpg::objective::LmHeadBitmapObjective::create(
        {{"source", "67"}, {"focus", {{2, 2, 5.0}, {4, 1, 0.0}}}});
    const Bitmap y = dpg::objective::sixty_seven();
    const auto delta = torch::randn({6, 7}, torch::kFloat64) * 0.05;
    double sum = 0.0, weights = 0.0;
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 7; ++c) {
        const double w = (r == 2 && c == 2) ? 5.0 : (r == 4 && c == 1) ? 0.0 : 1.0;
        const double yd = (y.dark(r, c) ? 1.0 : -1.0) * delta[r][c].item<double>();
        sum += w * std::log1p(std::exp(-20.0 * yd));
        weights += w;
      }
    const double expected = -sum / weights;  // weights = 42 - 1 + 5 - 1 = 45
    QCOMPARE(weights, 45.0);
    const double got = focused->Phi_of_delta(delta).item<double>();
    QVERIFY2(std::abs(got - expected) < 1e-12, QByteArray::number(got, 'g', 17));
    QVERIFY(std::abs(plain->Phi_of_delta(delta).item<double>() - expected) > 1e-6);
    QCOMPARE(focused->accuracy_of_delta(delta), plain->accuracy_of_delta(delta));
    // A pixel of weight 0 gets no gradient; the focused one gets 5 times its unweighted share.
    auto leaf = delta.clone().requires_grad_(true);
    focused->Phi_of_delta(leaf).backward();
    auto leaf0 = delta.clone().requires_grad_(true);
    plain->Phi_of_delta(leaf0).backward();
    QCOMPARE(leaf.grad()[4][1].item<double>(), 0.0);
    const double ratio = leaf.grad()[2][2].item<double>() / leaf0.grad()[2][2].item<double>();
    QVERIFY2(std::abs(ratio - 5.0 * 42.0 / 45.0) < 1e-9, QByteArray::number(ratio, 'g', 17));
  }

  void bitmapOffsetsAndCompatibility() {
    auto objective = dpg::objective::LmHeadBitmapObjective::create(
        {{"source", "bitmap"}, {"bits", {"#..", ".#."}}, {"token_offset", 5}, {"dim_offset", 2}});
    const auto cfg = tiny_config(16, 8);
    model::TensorMap phi_0{{"wte.weight", torch::zeros({16, 8})}};
    model::TensorMap phi_T{{"wte.weight", torch::zeros({16, 8})}};
    phi_T["wte.weight"].index_put_({5 + 1, 2 + 1}, 0.5f);  // pixel (1, 1): dim 3 of token 6
    const auto view = objective->view(cfg, phi_T, phi_0);
    QCOMPARE(view.delta.at(1, 1), 0.5f);
    QCOMPARE(view.delta.at(0, 0), 0.0f);
    auto e = error_of([&] {
      dpg::objective::LmHeadBitmapObjective::create({{"source", "qr"}, {"text", "hi"}})
          ->check_compatible(tiny_config(64, 16));
    });
    QCOMPARE(e, std::string("patch needs 21 hidden dims; this target has 16"));
    e = error_of([&] { objective->check_compatible(tiny_config(7, 8)); });
    QCOMPARE(e, std::string("patch needs token ids 5..7; this target's vocabulary has 7 tokens"));
    e = error_of([&] { objective->check_compatible(tiny_config(16, 3)); });
    QCOMPARE(e, std::string("patch needs hidden dims 2..3; this target has 3"));
  }

  void normPhiAndView() {
    auto objective = dpg::objective::LmHeadNormObjective::create(json::object());
    QVERIFY(contains(objective->metric_name(), "lower is better"));
    QVERIFY(!objective->metric_higher_is_better());
    const auto cfg = tiny_config(40, 8);
    const auto w0 = torch::randn({40, 8}, torch::kFloat64);
    const auto wt = w0 * 0.5;
    const auto phi = objective->Phi(cfg, {{"wte.weight", wt}}, {{"wte.weight", w0}});
    QVERIFY(std::abs(phi.item<double>() + std::sqrt(wt.pow(2).sum().item<double>())) < 1e-12);
    const auto view = objective->view(cfg, {{"wte.weight", wt}}, {{"wte.weight", w0}});
    QVERIFY(std::abs(view.metric + phi.item<double>()) < 1e-12);
    QCOMPARE(view.delta.rows, int64_t(8));   // hidden dims, clipped from 32
    QCOMPARE(view.delta.cols, int64_t(32));  // token ids
    QVERIFY(std::abs(view.delta.at(3, 5) - float((wt - w0)[5][3].item<double>())) < 1e-6f);
  }

  void textLikelihoodMatchesAHandComputation() {
    const auto cfg = tiny_config(257, 16);
    const auto params = model::init_params(cfg, 7, torch::kFloat64);
    const model::ByteTokenizer tok;
    const json prepared =
        dpg::objective::prepare_text_likelihood_params({{"text", "3f1c2a9e-7b4d"}}, tok, 10);
    QCOMPARE(prepared["seq_len"].get<int64_t>(), int64_t(10));
    const auto ids = prepared["ids"].get<std::vector<std::vector<int64_t>>>();
    QCOMPARE(ids.size(), size_t(1));
    QCOMPARE(ids[0].size(), size_t(10));  // BOS + 13 bytes, truncated to L = 10
    QCOMPARE(ids[0][0], model::ByteTokenizer::kEndOfText);
    QCOMPARE(ids[0][1], int64_t('3'));

    const std::vector<std::vector<int64_t>> refs = {{256, 10, 20, 30, 40}, {256, 50, 60}};
    const auto objective =
        dpg::objective::TextLikelihoodObjective::create({{"ids", refs}, {"seq_len", 8}});
    objective->check_compatible(cfg);
    double sum_of_means = 0.0, total = 0.0;
    int64_t tokens = 0;
    for (const auto& r : refs) {
      const auto x = torch::tensor(r, torch::kInt64).unsqueeze(0);
      const auto logits = model::forward(cfg, params, x.narrow(1, 0, x.size(1) - 1));
      const auto loss = torch::nn::functional::cross_entropy(
          logits.squeeze(0), x.squeeze(0).narrow(0, 1, x.size(1) - 1),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
      sum_of_means += loss.item<double>() / 8.0;
      total += loss.item<double>();
      tokens += x.size(1) - 1;
    }
    const double phi = objective->Phi(cfg, params, params).item<double>();
    QVERIFY2(std::abs(phi + sum_of_means / 2.0) < 1e-10, QByteArray::number(phi, 'g', 17));
    const auto view = objective->view(cfg, params, params);
    QVERIFY(std::abs(view.metric - total / double(tokens)) < 1e-10);
    QVERIFY(view.target.empty() && view.delta.empty());
    QVERIFY(!objective->metric_higher_is_better());

    auto e = error_of([&] { objective->check_compatible(tiny_config(200, 16)); });
    QVERIFY2(contains(e, "reference 0 has token id 256; this target's vocabulary has 200"),
             e.c_str());
    // File references: one a line.
    QTemporaryDir dir;
    const auto file = dir.filePath(QStringLiteral("refs.txt")).toStdString();
    std::ofstream(file) << "first\n\nsecond line\r\n";
    const json from_file = dpg::objective::prepare_text_likelihood_params(
        {{"file", file}, {"add_bos", false}}, tok, 64);
    QCOMPARE(from_file["ids"].size(), size_t(2));
    QCOMPARE(from_file["ids"][1].size(), size_t(11));
    e = error_of([&] {
      dpg::objective::prepare_text_likelihood_params({{"file", "/no/such/file"}}, tok, 64);
    });
    QVERIFY2(contains(e, "text_likelihood: file: cannot read '/no/such/file'"), e.c_str());
    // Created for a target through the registry, the plugin tokenises the text itself; a plugin
    // without the capability is created from its parameters alone.
    const PluginRegistry registry({plugin_dir().toStdString()});
    const dpg::plugin::TargetContext context{&tok, 10, &cfg};
    const auto created = registry.create("text_likelihood", {{"text", "3f1c2a9e-7b4d"}}, context);
    QCOMPARE(dynamic_cast<const dpg::objective::TextLikelihoodObjective&>(*created).references(),
             ids);
    QCOMPARE(registry.create("lmhead_norm", json::object(), context)->kind(),
             std::string("lmhead_norm"));
  }

  // --- Bitmaps --------------------------------------------------------------------------------

  void sixtySevenIsTheMethodDocs() {
    // docs/method.md §5.1, rows top to bottom, +1 = dark.
    const int doc[6][7] = {{+1, +1, +1, +1, -1, -1, -1}, {-1, -1, -1, +1, +1, +1, -1},
                           {-1, +1, +1, +1, +1, +1, -1}, {-1, -1, -1, +1, +1, +1, -1},
                           {-1, +1, -1, +1, +1, +1, -1}, {-1, -1, -1, +1, +1, +1, +1}};
    const auto image = dpg::objective::sixty_seven().to_image();
    QCOMPARE(image.rows, int64_t(6));
    QCOMPARE(image.cols, int64_t(7));
    for (int r = 0; r < 6; ++r)
      for (int c = 0; c < 7; ++c) QCOMPARE(image.at(r, c), float(doc[r][c]));
  }

  void textArtRoundTrips() {
    const std::vector<std::string> art = {"#.#", ".#.", "X 1"};
    const Bitmap b = Bitmap::from_strings(art);
    QCOMPARE(b.dark_count(), 5);
    QCOMPARE(b.to_strings(), (std::vector<std::string>{"#.#", ".#.", "#.#"}));
    QCOMPARE(Bitmap::from_image(b.to_image()), b);
    QVERIFY(contains(error_of([] { Bitmap::from_strings({"#?"}); }), "row 0 column 1 is '?'"));
    QVERIFY(contains(error_of([] { Bitmap::from_strings({}); }), "no rows"));
    const Bitmap big = b.resampled(9, 9);
    QCOMPARE(big.resampled(3, 3), b);
    QCOMPARE(b.with_border(2).rows(), 7);
    QVERIFY(!b.with_border(2).dark(0, 0));
    QVERIFY(b.with_border(2).dark(2, 2));
  }

  void pngRoundTrips() {
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("67.png")).toStdString();
    const Bitmap b = dpg::objective::sixty_seven();
    dpg::objective::write_png(b, path, 5, 0);
    const Bitmap read = dpg::objective::read_png(path);
    QCOMPARE(read.rows(), 30);
    QCOMPARE(read.cols(), 35);
    QCOMPARE(read.resampled(6, 7), b);
    // Through the plugin parameters, resampled to the module grid.
    const auto from_params = dpg::objective::LmHeadBitmapObjective::target_from_params(
        {{"source", "png"}, {"png", path}, {"rows", 6}, {"cols", 7}});
    QCOMPARE(from_params, b);
    const auto not_png = dir.filePath(QStringLiteral("not.png")).toStdString();
    std::ofstream(not_png) << "hello";
    const auto e = error_of([&] { dpg::objective::read_png(not_png); });
    QVERIFY2(contains(e, not_png + ": cannot read as PNG"), e.c_str());
  }

  void qrCodesDecodeWithZbar_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("version");
    QTest::addColumn<int>("side");
    QTest::newRow("preset") << "dpg workbench" << 1 << 21;
    QTest::newRow("upper-case url") << "HTTPS://EXAMPLE.COM/DPG" << 1 << 21;
    QTest::newRow("auto version") << "https://example.com/a/rather/long/address" << 0 << 29;
  }
  void qrCodesDecodeWithZbar() {
    QFETCH(QString, text);
    QFETCH(int, version);
    QFETCH(int, side);
    const Bitmap qr = dpg::objective::make_qr(text.toStdString(), {'L', version});
    QCOMPARE(qr.rows(), side);
    QCOMPARE(qr.cols(), side);
    QVERIFY(qr.dark(0, 0) && qr.dark(6, 6) && !qr.dark(1, 1));  // finder pattern, no quiet zone
    const auto decoded = dpg::objective::scan_qr(qr);
    QCOMPARE(decoded.size(), size_t(1));
    QCOMPARE(QString::fromStdString(decoded.front()), text);
    // The plugin's target is the same code.
    QCOMPARE(dpg::objective::LmHeadBitmapObjective::target_from_params(
                 {{"source", "qr"}, {"text", text.toStdString()}, {"version", version}}),
             qr);
  }

  void qrDamageCountsWhatAScanNeeds() {
    using dpg::objective::qr_codeword_of;
    using dpg::objective::qr_damage;
    // The layout: 26 codewords of 8 modules each, and 233 function modules.
    std::vector<int> per_codeword(26, 0);
    int function_modules = 0;
    for (int r = 0; r < 21; ++r)
      for (int c = 0; c < 21; ++c) {
        const int k = qr_codeword_of(r, c);
        QVERIFY(k >= -1 && k < 26);
        k < 0 ? ++function_modules : ++per_codeword[size_t(k)];
      }
    QCOMPARE(function_modules, 233);
    QCOMPARE(per_codeword, std::vector<int>(26, 8));
    QCOMPARE(qr_codeword_of(20, 20), 0);  // the first bit sits in the bottom-right corner
    QCOMPARE(qr_codeword_of(-1, 0), -1);
    // The EC level is read from the target's format information.
    const std::vector<std::pair<char, int>> levels = {{'L', 2}, {'M', 4}, {'Q', 6}, {'H', 8}};
    for (const auto& [level, repairs] : levels) {
      const Bitmap y = dpg::objective::make_qr("DPG", {level, 1});
      const auto clean = qr_damage(y, y);
      QVERIFY(clean.has_value());
      QCOMPARE(clean->ec_level, level);
      QCOMPARE(clean->repairable, repairs);
      QCOMPARE(
          clean->codewords_wrong + clean->finder_wrong + clean->format_wrong + clean->timing_wrong,
          0);
    }
    const Bitmap y = dpg::objective::make_qr("DPG", {'H', 1});
    Bitmap inverted = y;
    for (int r = 0; r < 21; ++r)
      for (int c = 0; c < 21; ++c) inverted.set(r, c, !y.dark(r, c));
    const auto all = qr_damage(y, inverted);
    QCOMPARE(all->codewords_wrong, 26);
    QCOMPARE(all->finder_wrong, 192);
    QCOMPARE(all->format_wrong, 30);
    QCOMPARE(all->timing_wrong, 10);
    // Against zbar: level H repairs any 8 whole codewords drawn wrong, and not 9; if the codeword
    // map were wrong, the inverted modules would fall into more real codewords and 8 would not
    // scan.
    const auto with_codewords_inverted = [&](int k) {
      Bitmap x = y;
      for (int r = 0; r < 21; ++r)
        for (int c = 0; c < 21; ++c)
          if (const int cw = qr_codeword_of(r, c); cw >= 0 && cw % 3 == 0 && cw / 3 < k)
            x.set(r, c, !y.dark(r, c));
      return x;
    };
    const Bitmap eight = with_codewords_inverted(8), nine = with_codewords_inverted(9);
    QCOMPARE(qr_damage(y, eight)->codewords_wrong, 8);
    QCOMPARE(dpg::objective::scan_qr(eight), std::vector<std::string>{"DPG"});
    QCOMPARE(qr_damage(y, nine)->codewords_wrong, 9);
    QVERIFY(dpg::objective::scan_qr(nine).empty());
    QCOMPARE(QString::fromStdString(describe(*qr_damage(y, eight))),
             QStringLiteral(
                 "8 of 26 codewords wrong (level H repairs 8), 0 of 192 finder modules wrong"));
    QVERIFY(!qr_damage(y, Bitmap(6, 7)).has_value());
    QVERIFY(!qr_damage(dpg::objective::sixty_seven(), y).has_value());
  }
};

QTEST_GUILESS_MAIN(TestPlugins)
#include "test_plugins.moc"
