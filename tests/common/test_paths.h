// SPDX-License-Identifier: MIT
#pragma once
/// @file Where the source tree and the build tree of a test run are, found at run time.
///
/// The test sources carry no absolute paths (they used to get them as compile definitions), one of
/// the reasons a fresh clone in another folder missed the ccache; with the others fixed too
/// (docs/performance.md, "Clone-to-clone ccache hits") a second clone hits 61 of 62 compilations.
/// CTest sets DPG_TEST_SOURCE_DIR and DPG_TEST_BUILD_DIR (tests/CMakeLists.txt); a test executable
/// started by hand finds the build tree from its own location (<build>/bin) and the source tree
/// from that build's CMakeCache.txt.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QString>
#include <QtGlobal>

namespace dpg::test {

inline QString build_dir() {
  const QString env = qEnvironmentVariable("DPG_TEST_BUILD_DIR");
  if (!env.isEmpty()) return env;
  return QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/.."));
}

inline QString source_dir() {
  const QString env = qEnvironmentVariable("DPG_TEST_SOURCE_DIR");
  if (!env.isEmpty()) return env;
  QFile cache(build_dir() + QStringLiteral("/CMakeCache.txt"));
  if (cache.open(QIODevice::ReadOnly | QIODevice::Text)) {
    const QByteArray key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    while (!cache.atEnd()) {
      const QByteArray line = cache.readLine().trimmed();
      if (line.startsWith(key)) return QString::fromUtf8(line.mid(key.size()));
    }
  }
  qFatal("cannot find the source tree: set DPG_TEST_SOURCE_DIR or run the tests through ctest");
  return {};
}

/// <build>/bin: the dpg CLI and the app.
inline QString bin_dir() {
  return build_dir() + QStringLiteral("/bin");
}
/// tests/data in the source tree.
inline QString data_dir() {
  return source_dir() + QStringLiteral("/tests/data");
}
/// The project's virtual environment's python (scripts/setup.sh makes it).
inline QString venv_python() {
  return source_dir() + QStringLiteral("/.venv/bin/python");
}

}  // namespace dpg::test
