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
      PresetInfo info{name, {}, fs::absolute(file).string()};
      std::ifstream in(file);
      const auto j = nlohmann::json::parse(in, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("description") &&
          j["description"].is_string())
        info.description = j["description"].get<std::string>();
      out.push_back(std::move(info));
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
