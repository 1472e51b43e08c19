// SPDX-License-Identifier: MIT
#pragma once
/// @file Typed errors of the model layer. Messages name the file, the offset and the reason.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dpg::model {

/// @p text with every control character (a newline, a NUL, ...) written as an escape ("\\n",
/// "\\x00"), so that a message quoting a file's bytes stays one readable line.
inline std::string one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

/// A model or tokenizer file that cannot be read: truncated, corrupt, unsupported, or inconsistent.
class FormatError : public std::runtime_error {
 public:
  FormatError(const std::string& file, int64_t offset, const std::string& reason)
      : std::runtime_error(one_line(file) +
                           (offset >= 0 ? " (offset " + std::to_string(offset) + ")" : "") + ": " +
                           one_line(reason)),
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
  explicit ConfigError(const std::string& message) : std::runtime_error(one_line(message)) {}
};

}  // namespace dpg::model
