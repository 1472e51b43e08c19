// SPDX-License-Identifier: MIT
#pragma once
/// @file Prompt sets: a .txt file (one prompt a line) or .jsonl ({"prompt": ...} a line).
#include <string>
#include <vector>

namespace dpg::engine {

/// Reads a prompt set from a path or a bundled resource name. Throws std::runtime_error naming the
/// file and line on bad input, and when the set is empty.
std::vector<std::string> load_prompts(const std::string& name_or_path);

}  // namespace dpg::engine
