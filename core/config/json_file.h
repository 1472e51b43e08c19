// SPDX-License-Identifier: MIT
#pragma once
/// @file Reading a JSON file with an error that names the file, the line and the column.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace dpg::config {

/// 1-based line and column of the byte at 0-based @p offset of @p text (columns count bytes).
struct TextPosition {
  size_t line = 1, column = 1;
};
TextPosition text_position(const std::string& text, size_t offset);

/// Parses @p text, the contents of @p path. A syntax error throws model::ConfigError
/// "PATH:LINE:COLUMN: not valid JSON (REASON)", without echoing the text.
nlohmann::json parse_json_text(const std::string& text, const std::string& path);

/// Reads and parses the file @p path (parse_json_text); a missing file throws model::ConfigError.
nlohmann::json read_json_file(const std::string& path);

}  // namespace dpg::config
