// SPDX-License-Identifier: MIT
#pragma once
/// @file RunConfig: every hyperparameter of a DPG run, with defaults, JSON I/O, `--set` overrides
/// and validation.
///
/// The JSON form nests sections by the dotted names below ("grpo.lr" is {"grpo": {"lr": ...}}).
/// Unknown keys are errors, so a typo never silently falls back to a default. Every error is a
/// dpg::model::ConfigError whose message starts with the dotted field name, e.g.
///   `inner.T: must divide the 64 rollouts per dataset (prompts_per_step × group_size)`.
///
/// Each field is documented once, in the field table of run_config.cpp: run_config_fields() gives
/// it to the CLI's help and the GUI's run-setup form. The structs below name each section's rows
/// ("grpo.*").
///
/// Defaults are the laptop-scale "67-tiny" prototype (docs/method.md §8).
#include "core/config/enums.h"
#include "core/config/inner_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::config {

/// The one top-level key a config file may hold besides the fields: a preset's Start-page card
/// (presets.h, PresetInfo). It is read by list_presets(), skipped by from_json and never written
/// into a run.
inline constexpr const char* kPresetCardKey = "card";

/// The generator π_θ (the policy GRPO trains). Fields: "generator.*".
struct GeneratorConfig {
  std::string model = "models/tiny-gen";
  bool chat = false;
};

/// The target whose training 𝒜 the metagradient differentiates. Fields: "target.*".
struct TargetConfig {
  std::string model = "models/tiny-target";
  int64_t seq_len = 64;
};

/// Φ: which objective plugin, and its parameters. Fields: "objective.*".
struct ObjectiveConfig {
  std::string kind = "lmhead_bitmap";
  nlohmann::json params = nlohmann::json::object({{"source", "67"}});
  nlohmann::json stages = nlohmann::json::array();

  /// The plugin parameters of GRPO step `step` (1-based): params merge-patched (RFC 7396) with each
  /// stage whose from_step is at most `step`. A function of the step alone, so a resumed run stays
  /// on the stages.
  nlohmann::json params_at(int64_t step) const;
};

/// Prompt sets. Fields: "prompts.*".
struct PromptsConfig {
  std::string train = "prompts/tiny-train.txt";
  std::string val = "prompts/tiny-val.txt";
};

/// The generator update (GRPO, docs/method.md §4). Fields: "grpo.*".
struct GrpoConfig {
  int64_t steps = 600;
  int64_t prompts_per_step = 16;
  int64_t group_size = 4;
  double lr = 3e-4;
  int64_t lr_drop_step = 0;
  double lr_after_drop = 1e-4;
  double weight_decay = 0.01;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double clip = 0.2;
  double grad_clip = 1.0;
  double kl_coef = 0.0;
  int64_t kl_drop_step = 0;
  double kl_after_drop = 0.0;
  double entropy_coef = 0.0;
  int64_t minibatch_prompts = 16;
  int64_t micro_batch = 0;
  double temperature = 1.0;
  double top_p = 1.0;
  int64_t max_new_tokens = 48;
  int64_t min_new_tokens = 0;
  bool cross_group = true;
  Reward reward = Reward::Dpg;
  Credit credit = Credit::Sequence;

  /// The generator learning rate of GRPO step `step` (1-based): a function of the step alone, so a
  /// resumed run continues on the same schedule.
  double lr_at(int64_t step) const {
    return lr_drop_step > 0 && step > lr_drop_step ? lr_after_drop : lr;
  }
  /// The KL coefficient β_KL of GRPO step `step`, on the same kind of schedule as lr_at.
  double kl_at(int64_t step) const {
    return kl_drop_step > 0 && step > kl_drop_step ? kl_after_drop : kl_coef;
  }
};

/// Held-out validation (docs/method.md §6). Fields: "validation.*".
struct ValidationConfig {
  int64_t every = 25;
  int64_t prompts = 16;
  int64_t T = 8;
  int64_t repeats = 1;
  double temperature = 1.0;
};

/// Where and in what arithmetic the engine runs. Fields: "run.*". The device is checked by
/// validate() (device.h); a resumed run or a re-validation may move to another device.
struct ExecutionConfig {
  std::string device = "cpu";
  Precision precision = Precision::Float32;
};

/// Every hyperparameter of one run. Plain data: copy it, compare it, save it beside the run.
struct RunConfig {
  std::string name;
  std::string description;
  uint64_t seed = 0;
  GeneratorConfig generator;
  TargetConfig target;
  ObjectiveConfig objective;
  PromptsConfig prompts;
  GrpoConfig grpo;
  InnerConfig inner;  ///< 𝒜 of a GRPO step (inner_config.h)
  ValidationConfig validation;
  int64_t snapshot_every = 5;
  int64_t checkpoint_every = 50;
  int64_t threads = 0;
  ExecutionConfig run;

  /// Rollouts in one dataset D that one 𝒜 run trains on: P·G with cross_group, else P.
  int64_t examples_per_dataset() const;
  /// Runs of 𝒜 per GRPO step: 1 with cross_group, else G.
  int64_t datasets_per_step() const;
  /// B: examples per inner step, examples_per_dataset() / inner.T.
  int64_t inner_batch() const;
  /// Rollouts in one validation dataset: validation.prompts × group_size.
  int64_t val_examples() const;
  /// 𝒜 of a validation: the inner settings with T = validation.T.
  InnerConfig val_inner() const;
  /// Examples per inner step of the validation run: val_examples() / validation.T.
  int64_t val_batch() const;

  /// Throws dpg::model::ConfigError naming the first bad field and why: validate_settings(), and
  /// whether this process can use run.device (device.h).
  void validate() const;
  /// Every check but the device's presence (its spelling is checked): a preset or config file
  /// made for a GPU still loads on a CPU-only build, where --device cpu may then run it.
  void validate_settings() const;

  /// Sets one field from `key=value` (the CLI's --set), e.g. "grpo.lr=1e-4",
  /// "grpo.cross_group=false", "objective.params.text=hello" or
  /// "objective.params={\"source\":\"qr\"}". The value is parsed as the existing field's type;
  /// strings may be given bare. Throws ConfigError on an unknown key or an unparsable value (an
  /// enumerated field names its allowed values). Does not validate() the whole config. Changing
  /// objective.kind clears objective.params and objective.stages, since one plugin's parameters
  /// mean nothing to another.
  void apply_override(const std::string& assignment);

  /// Parses a full or partial config: missing fields keep their defaults, unknown keys throw, and
  /// so does an enumerated field spelt otherwise than its choices.
  static RunConfig from_json(const nlohmann::json& j);
  /// Every field, including defaults; enumerated fields as their JSON spellings (enums.h).
  nlohmann::json to_json() const;

  bool operator==(const RunConfig& other) const { return to_json() == other.to_json(); }
};

/// One documented field of RunConfig, for help texts and the run-setup form.
struct FieldInfo {
  std::string path;      ///< dotted name, e.g. "grpo.lr"
  std::string type;      ///< "int" | "uint" | "float" | "bool" | "string" | "object" (any JSON)
  std::string doc;       ///< one line
  nlohmann::json value;  ///< the default
  std::vector<std::string> choices;  ///< allowed values of an enumerated string field
};
/// All fields in declaration order.
std::vector<FieldInfo> run_config_fields();

/// Reads a RunConfig JSON file (throws ConfigError naming the file on bad JSON).
RunConfig load_run_config(const std::string& path);

}  // namespace dpg::config
