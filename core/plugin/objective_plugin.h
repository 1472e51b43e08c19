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
/// JSON must equal kObjectiveApiVersion. Compatible additions keep both and are marked @since:
/// they are separate capability interfaces (own IID) that a plugin may also implement, which the
/// registry finds with qobject_cast, so a plugin built before an addition still loads and works.
///
/// Threads: the registry loads plugins on the thread that owns it; every call below is const and
/// may be made from any thread, also concurrently, so a plugin keeps no mutable state.
#include "core/dpg/objective.h"
#include "core/model/model_config.h"
#include "core/model/tokenizer.h"
#include "core/plugin/verdict.h"

#include <QtPlugin>
#include <nlohmann/json.hpp>

#include <cstdint>
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

/// What a run knows about its target when it creates an objective (TargetAwarePlugin). Pointers
/// are valid only during the create() call. @since TargetAwarePlugin/1.0
struct TargetContext {
  const model::Tokenizer* tokenizer = nullptr;  ///< the target's tokenizer
  int64_t seq_len = 0;                          ///< L: the run's target.seq_len
  const model::ModelConfig* config = nullptr;   ///< the target's architecture
};

/// Capability: an objective that needs the target to be built, e.g. reference texts tokenised
/// with the target's tokenizer. Implemented beside ObjectivePlugin by the same root object.
/// @since TargetAwarePlugin/1.0 (a plugin without it is created with
/// ObjectivePlugin::create(params)).
class TargetAwarePlugin {
 public:
  virtual ~TargetAwarePlugin() = default;
  /// Creates an objective of this plugin's id from @p params and @p target. Throws
  /// std::invalid_argument naming the parameter, as ObjectivePlugin::create does. Any thread.
  virtual std::unique_ptr<engine::Objective> create(const nlohmann::json& params,
                                                    const TargetContext& target) const = 0;
};

/// Capability: verdicts on sign images (core/plugin/verdict.h), e.g. whether a drawn QR code
/// scans. The store's summaries, the CLI and the GUI show them without knowing what they judge.
/// @since VerdictPlugin/1.0
class VerdictPlugin {
 public:
  virtual ~VerdictPlugin() = default;
  /// A judge of sign images drawn for @p target (a stored "target" snapshot), or nullptr when
  /// this plugin has nothing to say about that target (a "67" is no QR code). Any thread.
  virtual std::unique_ptr<Judge> judge(const engine::Image& target) const = 0;
};

}  // namespace dpg::plugin

/// The interface id; the part after '/' is the interface version (major.minor).
#define DPG_OBJECTIVE_PLUGIN_IID "org.dpgworkbench.ObjectivePlugin/1.0"
Q_DECLARE_INTERFACE(dpg::plugin::ObjectivePlugin, DPG_OBJECTIVE_PLUGIN_IID)
/// The TargetAwarePlugin capability's id.
#define DPG_TARGET_AWARE_PLUGIN_IID "org.dpgworkbench.TargetAwarePlugin/1.0"
Q_DECLARE_INTERFACE(dpg::plugin::TargetAwarePlugin, DPG_TARGET_AWARE_PLUGIN_IID)
/// The VerdictPlugin capability's id.
#define DPG_VERDICT_PLUGIN_IID "org.dpgworkbench.VerdictPlugin/1.0"
Q_DECLARE_INTERFACE(dpg::plugin::VerdictPlugin, DPG_VERDICT_PLUGIN_IID)
