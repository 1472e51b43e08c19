// SPDX-License-Identifier: MIT
#pragma once
/// @file The device the engine tests run on: $DPG_TEST_DEVICE, "cpu" when unset or empty, e.g.
///   DPG_TEST_DEVICE=cuda ctest --test-dir build -R 'metagrad|loop'
/// A device that is asked for but absent is a failure, never a skip: test_device() throws the
/// config's one-line reason, and DPG_REQUIRE_TEST_DEVICE() in a test's initTestCase turns it into
/// a QFAIL that fails the whole test executable.
#include "core/config/device.h"

#include <cstdlib>
#include <string>

namespace dpg::test {

/// $DPG_TEST_DEVICE as given ("cpu", "cuda", "cuda:N"), "cpu" when unset.
inline std::string test_device_name() {
  const char* env = std::getenv("DPG_TEST_DEVICE");
  return env && *env ? std::string(env) : std::string("cpu");
}

/// The device of test_device_name(); throws model::ConfigError when this process cannot use it.
inline c10::Device test_device() {
  return config::usable_device(test_device_name());
}

}  // namespace dpg::test

/// Fails the calling test function (in initTestCase: every test of the executable) with the
/// reason $DPG_TEST_DEVICE cannot be used.
#define DPG_REQUIRE_TEST_DEVICE()                                                           \
  do {                                                                                      \
    try {                                                                                   \
      const auto device = dpg::test::test_device();                                         \
      qInfo("engine tests on %s", device.str().c_str());                                    \
    } catch (const std::exception& e) {                                                     \
      QFAIL(qPrintable(QStringLiteral("DPG_TEST_DEVICE: ") + QString::fromUtf8(e.what()))); \
    }                                                                                       \
  } while (0)
