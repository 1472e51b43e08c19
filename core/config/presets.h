// SPDX-License-Identifier: MIT
#pragma once
/// @file Named run presets: JSON RunConfigs bundled under resources/presets/<name>.json.
///
/// Presets are found through the resource resolver (core/resources/resources.h), so $DPG_DATA_DIR
/// and an installed share/dpg-workbench/presets override the checkout's copies; the first root that
/// has a name wins.
#include "core/config/run_config.h"

#include <string>
#include <vector>

namespace dpg::config {

/// The preset a new run starts from when none is named.
inline constexpr const char* kDefaultPreset = "67-tiny";

/// One preset as listed, without validating it: what the Start page's card shows.
struct PresetInfo {
  std::string name;         ///< file stem, e.g. "67-tiny"
  std::string description;  ///< the preset's "description" field (empty if it has none)
  std::string path;         ///< absolute path of the JSON file
  std::string purpose;      ///< card.purpose: one line saying what the preset does
  std::string expect;       ///< card.expect: how long it takes and what the user sees by then
  std::string generator;    ///< generator.model as written ("models/tiny-gen", "smollm2")
  std::string target;       ///< target.model as written
  std::string objective;    ///< objective.kind
  nlohmann::json params;    ///< objective.params (null when absent)
};

/// Every preset in every resource root, sorted by name (the default first).
std::vector<PresetInfo> list_presets();

/// Loads and validates the preset @p name (RunConfig::validate_settings: a GPU preset loads on a
/// CPU-only build); throws ConfigError naming the preset and the bad field, or listing the known
/// presets when there is none of that name.
RunConfig load_preset(const std::string& name);

/// An existing JSON file is loaded as a config; anything else is taken as a preset name.
/// The result is validated as load_preset's is.
RunConfig load_preset_or_file(const std::string& name_or_path);

}  // namespace dpg::config
