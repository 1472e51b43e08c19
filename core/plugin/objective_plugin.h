// SPDX-License-Identifier: MIT
#pragma once
/// @file The objective plugin interface: a QtCore plugin that creates dpg::engine::Objective
/// instances (core/dpg/objective.h, plain C++) from JSON parameters.
///
/// Writing a plugin (see plugins/objectives/lmhead_norm for a complete one):
/// @code
///   class MyPlugin : public QObject, public dpg::plugin::ObjectivePlugin {
///     Q_OBJECT
///     Q_PLUGIN_METADATA(IID DPG_OBJECTIVE_PLUGIN_IID FILE "objective.json")
///     Q_INTERFACES(dpg::plugin::ObjectivePlugin)
///    public:
///     std::string id() const override { return "my_objective"; }
///     ...
///   };
/// @endcode
/// objective.json must hold the keys id, name, description, version, apiVersion and licence; the
/// registry reads them (and checks the IID and apiVersion) without loading the plugin's code.
///
/// Versioning: the IID carries the interface's major version ("…/1.0"); an incompatible change
/// bumps it, so old plugins are refused with a message instead of crashing. apiVersion in the
/// JSON must equal kObjectiveApiVersion. Compatible additions keep both and are marked @since.
#include "core/dpg/objective.h"

#include <QtPlugin>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace dpg::plugin {

/// The API version a plugin's objective.json "apiVersion" must declare.
inline constexpr int kObjectiveApiVersion = 1;

class ObjectivePlugin {
 public:
  virtual ~ObjectivePlugin() = default;
  /// The objective kind this plugin creates; equals objective.json "id" and RunConfig
  /// objective.kind, e.g. "lmhead_bitmap".
  virtual std::string id() const = 0;
  /// Describes the accepted parameters:
  /// {"<name>": {"type": "string"|"int"|"number"|"bool"|..., "default": ..., "doc": "...",
  ///             "choices": [...] (optional)}, ...}.
  virtual nlohmann::json parameters() const = 0;
  /// Creates an objective. Throws std::invalid_argument with a readable reason (naming the
  /// parameter) when @p params are bad. The returned object's code lives in the plugin library,
  /// which the registry never unloads.
  virtual std::unique_ptr<engine::Objective> create(const nlohmann::json& params) const = 0;
};

}  // namespace dpg::plugin

/// The interface id; the part after '/' is the interface version (major.minor).
#define DPG_OBJECTIVE_PLUGIN_IID "org.dpgworkbench.ObjectivePlugin/1.0"
Q_DECLARE_INTERFACE(dpg::plugin::ObjectivePlugin, DPG_OBJECTIVE_PLUGIN_IID)
