// SPDX-License-Identifier: MIT
#pragma once
/// @file Typed errors of the model layer. Messages name the file, the offset and the reason.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dpg::model {

/// A model or tokenizer file that cannot be read: truncated, corrupt, unsupported, or inconsistent.
class FormatError : public std::runtime_error {
 public:
  FormatError(const std::string& file, int64_t offset, const std::string& reason)
      : std::runtime_error(file + (offset >= 0 ? " (offset " + std::to_string(offset) + ")" : "") +
                           ": " + reason),
        file_(file),
        offset_(offset),
        reason_(reason) {}
  const std::string& file() const { return file_; }
  int64_t offset() const { return offset_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int64_t offset_;
  std::string reason_;
};

/// A configuration (model config, run config) that is invalid; the message names the field.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dpg::model
