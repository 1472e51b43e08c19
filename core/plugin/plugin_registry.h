// SPDX-License-Identifier: MIT
#pragma once
/// @file PluginRegistry: finds objective plugins, lists them from their metadata alone, and creates
/// objectives by kind.
///
/// Folders scanned, in order (the first plugin of an id wins; later ones are listed as shadowed):
///   1. every folder in $DPG_PLUGIN_DIR (':'-separated),
///   2. <install prefix>/lib/dpg-workbench/plugins/objectives,
///   3. <application dir>/../lib/dpg-workbench/plugins/objectives (a relocated install),
///   4. the build tree's plugins/objectives.
/// Each library's metadata (IID, objective.json) is read and checked with
/// QPluginLoader::metaData(), which does not run the plugin's code. Only create() and parameters()
/// instantiate a plugin, and a loaded plugin is never unloaded (objectives it created point into
/// its code).
///
/// Not thread-safe: use one registry per thread, or create objectives on one thread.
#include "core/plugin/objective_plugin.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

class QPluginLoader;

namespace dpg::plugin {

/// One plugin library as found on disk.
struct PluginInfo {
  std::string id;    ///< objective kind
  std::string name;  ///< human-readable name
  std::string description;
  std::string version;  ///< the plugin's own version
  std::string licence;
  /// The GUI editor that edits this objective's parameters, from objective.json's optional
  /// "designer" key: "bitmap" = the bitmap designer's parameters (source "bitmap" with bits, rows
  /// and cols, token_offset, dim_offset, sharpness, focus); empty = the parameter form only.
  std::string designer;
  int api_version = 0;
  std::string file;   ///< absolute path of the library
  std::string error;  ///< why it cannot be used; empty when usable
  bool ok() const { return error.empty(); }
};

class PluginRegistry {
 public:
  /// Scans default_dirs().
  PluginRegistry();
  /// Scans @p dirs only (tests, --plugin-dir).
  explicit PluginRegistry(std::vector<std::string> dirs);
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// The folders scanned by default, in order (existing or not).
  static std::vector<std::string> default_dirs();
  /// Reads and checks one library's metadata without instantiating it. Never throws: problems are
  /// reported in PluginInfo::error.
  static PluginInfo inspect(const std::string& file);

  const std::vector<std::string>& dirs() const { return dirs_; }
  /// Every library found, usable or not, in scan order.
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  /// Ids of the usable plugins, sorted.
  std::vector<std::string> kinds() const;
  /// The usable plugins whose objective.json names @p designer, sorted by id.
  std::vector<std::string> kinds_with_designer(const std::string& designer) const;
  /// The usable plugin of @p kind, or nullptr.
  const PluginInfo* find(const std::string& kind) const;

  /// Loads (once) and returns the plugin of @p kind. Throws std::invalid_argument for an unknown
  /// kind (listing the known ones) and std::runtime_error when the library cannot be loaded.
  const ObjectivePlugin& plugin(const std::string& kind) const;
  /// The plugin's parameter description.
  nlohmann::json parameters(const std::string& kind) const;
  /// Creates an objective of @p kind; bad parameters throw std::invalid_argument from the plugin.
  std::unique_ptr<engine::Objective> create(const std::string& kind,
                                            const nlohmann::json& params) const;
  /// The verdicts of @p kind's plugin: an empty function when there is no such usable plugin or
  /// it has no VerdictPlugin capability. Loads the plugin. The function may be called on any
  /// thread for as long as the process lives (plugins are never unloaded).
  JudgeFactory judges(const std::string& kind) const;
  /// The first usable plugin's judge for a target (in kinds() order), for a view that shows
  /// images without knowing the run's kind. Loads every plugin.
  JudgeFactory any_judges() const;
  /// Creates an objective of @p kind for a target: through the plugin's TargetAwarePlugin
  /// capability when it has one, otherwise as create(kind, params).
  std::unique_ptr<engine::Objective> create(const std::string& kind, const nlohmann::json& params,
                                            const TargetContext& target) const;

 private:
  void scan();

  std::vector<std::string> dirs_;
  std::vector<PluginInfo> plugins_;
  mutable std::map<std::string, std::unique_ptr<QPluginLoader>> loaders_;
};

}  // namespace dpg::plugin
