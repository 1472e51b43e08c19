// SPDX-License-Identifier: MIT
#include "tests/models/test_models.h"
#include "core/resources/resources.h"
#include "tests/common/test_paths.h"

#include <QDir>
#include <QProcess>
#include <QtTest>

#include <torch/torch.h>

std::unique_ptr<QTemporaryDir> TestModels::dir_;
static QString g_fixtures;  // where reference.py wrote (or, for development, DPG_MODELS_FIXTURES)

std::string TestModels::fixture(const std::string& name) {
  return (g_fixtures + QStringLiteral("/") + QString::fromStdString(name)).toStdString();
}

std::string TestModels::smollm2_path() {
  try {
    // The product's own lookup: DPG_SMOLLM2_GGUF, $VIRTUAL_ENV, then the checkout's .venv.
    return dpg::resources::smollm2_gguf_path();
  } catch (const std::runtime_error&) {
    return {};
  }
}

const dpg::model::LoadedModel& TestModels::smollm2() {
  static const dpg::model::LoadedModel m = dpg::model::load_model(smollm2_path());
  return m;
}

void TestModels::initTestCase() {
  // One intra-op thread unless OMP_WAIT_POLICY is set: on a shared, oversubscribed machine
  // OpenMP's spinning barriers make two threads ten times slower than one (and the suite is
  // dominated by the Python reference run, which gets OMP_WAIT_POLICY=PASSIVE below).
  torch::set_num_threads(qEnvironmentVariableIsSet("OMP_WAIT_POLICY") ? 2 : 1);
  const std::string gguf = smollm2_path();
  QVERIFY2(!gguf.empty(),
           "SmolLM2 GGUF not found under .venv/lib/python3.11/site-packages: run scripts/setup.sh");
  // Development shortcut: reuse fixtures written earlier by reference.py (never set in CTest).
  const QString reuse = qEnvironmentVariable("DPG_MODELS_FIXTURES");
  if (!reuse.isEmpty() && QFile::exists(reuse + QStringLiteral("/manifest.json"))) {
    g_fixtures = reuse;
    qInfo("reusing reference fixtures in %s", qPrintable(reuse));
    return;
  }
  dir_ = std::make_unique<QTemporaryDir>();
  QVERIFY(dir_->isValid());
  g_fixtures = dir_->path();
  QProcess py;
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("TQDM_DISABLE"), QStringLiteral("1"));
  env.insert(QStringLiteral("TRANSFORMERS_VERBOSITY"), QStringLiteral("error"));
  env.insert(QStringLiteral("HF_HUB_OFFLINE"), QStringLiteral("1"));
  env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("PASSIVE"));
  py.setProcessEnvironment(env);
  py.setProcessChannelMode(QProcess::MergedChannels);
  const QString script = dpg::test::source_dir() + QStringLiteral("/tests/reference/reference.py");
  py.start(dpg::test::venv_python(),
           {script, dir_->path(), QStringLiteral("--gguf"), QString::fromStdString(gguf)});
  QVERIFY2(py.waitForStarted(), "cannot start the .venv python: run scripts/setup.sh");
  QVERIFY2(py.waitForFinished(300000), "reference.py took longer than 300 s");
  const QByteArray log = py.readAll();
  if (py.exitStatus() != QProcess::NormalExit || py.exitCode() != 0) {
    QFAIL(("reference.py failed (run scripts/setup.sh if packages are missing):\n" + log)
              .constData());
  }
  qInfo("%s", log.trimmed().constData());
}

QTEST_GUILESS_MAIN(TestModels)
