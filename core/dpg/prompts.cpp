// SPDX-License-Identifier: MIT
#include "core/dpg/prompts.h"

#include "core/model/file_util.h"
#include "core/resources/resources.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace dpg::engine {

std::vector<std::string> load_prompts(const std::string& name) {
  const std::string path = std::filesystem::exists(name) ? name : resources::resource_path(name);
  std::istringstream in(model::read_file_bytes(path));
  const bool jsonl = path.ends_with(".jsonl");
  std::vector<std::string> prompts;
  std::string line;
  int64_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!jsonl) {
      prompts.push_back(line);
      continue;
    }
    try {
      auto j = nlohmann::json::parse(line);
      prompts.push_back(j.is_string() ? j.get<std::string>() : j.at("prompt").get<std::string>());
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(lineno) +
                               ": expected {\"prompt\": \"...\"}");
    }
  }
  if (prompts.empty()) throw std::runtime_error(path + ": no prompts");
  return prompts;
}

}  // namespace dpg::engine
