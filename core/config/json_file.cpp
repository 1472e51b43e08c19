// SPDX-License-Identifier: MIT
#include "core/config/json_file.h"

#include "core/model/errors.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dpg::config {
namespace {

/// nlohmann's reason without its header ("[json.exception.parse_error.101] parse error at line 1,
/// column 2: ") and without the text it echoes ("; last read: '…'").
std::string parse_reason(const std::string& what) {
  std::string reason = what;
  if (const auto at = reason.find("parse error"); at != std::string::npos) {
    if (const auto colon = reason.find(": ", at); colon != std::string::npos)
      reason = reason.substr(colon + 2);
  }
  const auto last_read = reason.find("; last read: '");
  if (last_read == std::string::npos) return reason;
  const auto expected = reason.rfind("'; expected ");
  const std::string tail =
      expected != std::string::npos && expected >= last_read ? reason.substr(expected + 1) : "";
  return reason.substr(0, last_read) + tail;
}

}  // namespace

TextPosition text_position(const std::string& text, size_t offset) {
  TextPosition p;
  const size_t end = std::min(offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& path) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts the bytes read, the offending one included.
    const auto p = text_position(text, e.byte > 0 ? e.byte - 1 : 0);
    throw model::ConfigError(path + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                             ": not valid JSON (" + parse_reason(e.what()) + ")");
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw model::ConfigError(path + ": cannot open the config file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json_text(buffer.str(), path);
}

}  // namespace dpg::config
