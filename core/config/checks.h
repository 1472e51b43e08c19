// SPDX-License-Identifier: MIT
#pragma once
/// @file The checks behind RunConfig::validate and InnerConfig::validate: each throws
/// dpg::model::ConfigError whose message starts with the dotted field name. Internal to
/// core/config.
#include "core/model/errors.h"

#include <cmath>
#include <string>

namespace dpg::config::check {

[[noreturn]] inline void fail(const std::string& field, const std::string& why) {
  throw model::ConfigError(field + ": " + why);
}
inline void need(bool ok, const std::string& field, const std::string& why) {
  if (!ok) fail(field, why);
}
inline void fraction(double v, const char* field) {
  need(std::isfinite(v) && v >= 0.0 && v < 1.0, field, "must be in [0, 1)");
}
inline void positive(double v, const char* field) {
  need(std::isfinite(v) && v > 0.0, field, "must be a positive number");
}
inline void non_negative(double v, const char* field) {
  need(std::isfinite(v) && v >= 0.0, field, "must be zero or positive");
}

}  // namespace dpg::config::check
