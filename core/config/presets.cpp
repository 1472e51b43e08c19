// SPDX-License-Identifier: MIT
#include "core/config/presets.h"

#include "core/model/errors.h"
#include "core/resources/resources.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace dpg::config {
namespace fs = std::filesystem;

namespace {
/// The string at @p pointer in @p j, or "" when it is missing or not a string.
std::string string_at(const nlohmann::json& j, const char* pointer) {
  const nlohmann::json::json_pointer p(pointer);
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : std::string();
}

PresetInfo preset_info(const std::string& name, const std::string& path, const nlohmann::json& j) {
  PresetInfo info{name, {}, path, {}, {}, {}, {}, {}, nullptr};
  if (j.is_discarded() || !j.is_object()) return info;
  info.description = string_at(j, "/description");
  info.purpose = string_at(j, "/card/purpose");
  info.expect = string_at(j, "/card/expect");
  info.generator = string_at(j, "/generator/model");
  info.target = string_at(j, "/target/model");
  info.objective = string_at(j, "/objective/kind");
  const nlohmann::json::json_pointer params("/objective/params");
  if (j.contains(params)) info.params = j.at(params);
  return info;
}
}  // namespace

std::vector<PresetInfo> list_presets() {
  std::vector<PresetInfo> out;
  std::set<std::string> seen;
  for (const auto& root : resources::resource_roots()) {
    const fs::path dir = fs::path(root) / "presets";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const std::string name = file.stem().string();
      if (!seen.insert(name).second) continue;  // shadowed by an earlier root
      std::ifstream in(file);
      out.push_back(preset_info(name, fs::absolute(file).string(),
                                nlohmann::json::parse(in, nullptr, false)));
    }
  }
  std::sort(out.begin(), out.end(), [](const PresetInfo& a, const PresetInfo& b) {
    const bool a_default = a.name == kDefaultPreset, b_default = b.name == kDefaultPreset;
    if (a_default != b_default) return a_default;
    return a.name < b.name;
  });
  return out;
}

RunConfig load_preset(const std::string& name) {
  const auto path = resources::find_resource("presets/" + name + ".json");
  if (!path) {
    std::string known;
    for (const auto& p : list_presets()) known += (known.empty() ? "" : ", ") + p.name;
    throw model::ConfigError("preset '" + name + "' not found (known presets: " +
                             (known.empty() ? std::string("none") : known) + ")");
  }
  RunConfig c = load_run_config(*path);
  try {
    c.validate_settings();  // the device is checked where a run starts
  } catch (const model::ConfigError& e) {
    throw model::ConfigError("preset '" + name + "': " + e.what());
  }
  return c;
}

RunConfig load_preset_or_file(const std::string& name_or_path) {
  std::error_code ec;
  if (fs::is_regular_file(name_or_path, ec)) {
    RunConfig c = load_run_config(name_or_path);
    try {
      c.validate_settings();  // the device is checked where a run starts
    } catch (const model::ConfigError& e) {
      throw model::ConfigError(name_or_path + ": " + e.what());
    }
    return c;
  }
  return load_preset(name_or_path);
}

}  // namespace dpg::config
