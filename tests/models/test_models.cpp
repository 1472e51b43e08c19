// SPDX-License-Identifier: MIT
#include "tests/models/test_models.h"

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QtTest>

#include <torch/torch.h>

std::unique_ptr<QTemporaryDir> TestModels::dir_;

std::string TestModels::fixture(const std::string& name) {
  return (dir_->path() + QStringLiteral("/") + QString::fromStdString(name)).toStdString();
}

std::string TestModels::smollm2_path() {
  const QString root = QStringLiteral(DPG_SOURCE_DIR "/.venv/lib/python3.11/site-packages");
  QDirIterator it(root, {QStringLiteral("SmolLM2*.gguf")}, QDir::Files, QDirIterator::Subdirectories);
  return it.hasNext() ? it.next().toStdString() : std::string();
}

const dpg::model::LoadedModel& TestModels::smollm2() {
  static const dpg::model::LoadedModel m = dpg::model::load_model(smollm2_path());
  return m;
}

void TestModels::initTestCase() {
  torch::set_num_threads(2);
  const std::string gguf = smollm2_path();
  QVERIFY2(!gguf.empty(),
           "SmolLM2 GGUF not found under .venv/lib/python3.11/site-packages: run scripts/setup.sh");
  dir_ = std::make_unique<QTemporaryDir>();
  QVERIFY(dir_->isValid());
  QProcess py;
  py.setProcessChannelMode(QProcess::MergedChannels);
  const QString script = QStringLiteral(DPG_SOURCE_DIR "/tests/reference/reference.py");
  py.start(QStringLiteral(DPG_VENV_PYTHON),
           {script, dir_->path(), QStringLiteral("--gguf"), QString::fromStdString(gguf)});
  QVERIFY2(py.waitForStarted(), "cannot start the .venv python: run scripts/setup.sh");
  QVERIFY2(py.waitForFinished(300000), "reference.py took longer than 300 s");
  const QByteArray log = py.readAll();
  if (py.exitStatus() != QProcess::NormalExit || py.exitCode() != 0) {
    QFAIL(("reference.py failed (run scripts/setup.sh if packages are missing):\n" + log).constData());
  }
  qInfo("%s", log.trimmed().constData());
}

QTEST_GUILESS_MAIN(TestModels)
