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
/// Defaults are the laptop-scale "67-tiny" prototype (docs/method.md §8).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::config {

/// The generator π_θ (the policy GRPO trains).
struct GeneratorConfig {
  std::string model =
      "models/tiny-gen";  ///< model path, bundled resource name or alias ("smollm2")
  bool chat = false;      ///< wrap prompts in the model's chat template
};

/// The target whose training 𝒜 the metagradient differentiates.
struct TargetConfig {
  std::string model = "models/tiny-target";  ///< model path, bundled resource name or alias
  int64_t seq_len = 64;  ///< L: target tokens per example (truncation, and the loss divisor)
};

/// Φ: which objective plugin, and its parameters.
struct ObjectiveConfig {
  std::string kind = "lmhead_bitmap";  ///< plugin id: lmhead_bitmap | lmhead_norm | text_likelihood
  nlohmann::json params = nlohmann::json::object({{"source", "67"}});  ///< passed to the plugin
  /// [ours] Later stages of the same objective: [{"from_step": s, "params": {...}}, …], from_step ≥ 2 and
  /// ascending. From step s on, Φ (and the readable metric) use the params with every stage up to s merged in
  /// (RFC 7396 merge patch), e.g. a per-pixel focus added once the policy draws most of the image. The stages are
  /// a function of the step, so a resumed run stays on them.
  nlohmann::json stages = nlohmann::json::array();

  /// The plugin parameters of GRPO step `step` (1-based): params merge-patched with each stage from before it.
  nlohmann::json params_at(int64_t step) const;
};

/// Prompt sets (resource names or paths; .txt one prompt a line, or .jsonl).
struct PromptsConfig {
  std::string train = "prompts/tiny-train.txt";  ///< prompts sampled for GRPO steps
  std::string val = "prompts/tiny-val.txt";      ///< held-out prompts for validation
};

/// The generator update (GRPO, docs/method.md §4).
struct GrpoConfig {
  int64_t steps = 600;             ///< number of GRPO steps
  int64_t prompts_per_step = 16;   ///< P: prompts sampled per step
  int64_t group_size = 4;          ///< G: responses per prompt
  double lr = 3e-4;                ///< generator AdamW learning rate
  int64_t lr_drop_step = 0;        ///< steps after this one use lr_after_drop (0 = lr throughout) [ours]
  double lr_after_drop = 1e-4;     ///< the generator learning rate after lr_drop_step [ours]
  double weight_decay = 0.01;      ///< generator AdamW weight decay
  double beta1 = 0.9;              ///< generator AdamW β1
  double beta2 = 0.999;            ///< generator AdamW β2
  double clip = 0.2;               ///< PPO ratio clip ε
  double grad_clip = 1.0;          ///< global gradient-norm clip (0 = off)
  double kl_coef = 0.0;            ///< KL penalty to the frozen starting generator
  int64_t kl_drop_step = 0;        ///< steps after this one use kl_after_drop (0 = kl_coef throughout) [ours]
  double kl_after_drop = 0.0;      ///< the KL coefficient after kl_drop_step [ours]
  double entropy_coef = 0.0;       ///< β_H: loss −= β_H · token-mean entropy of the policy (0 = off) [ours]
  int64_t minibatch_prompts = 16;  ///< prompts per optimiser mini-batch (one epoch)
  int64_t micro_batch = 0;         ///< rows per forward/backward of the update (0 = the whole mini-batch) [ours]
  double temperature = 1.0;        ///< sampling temperature
  double top_p = 1.0;              ///< nucleus sampling mass (1 = off)
  int64_t max_new_tokens = 48;     ///< maximum response length in generator tokens
  int64_t min_new_tokens = 0;      ///< stop tokens are masked before this many response tokens
  bool cross_group = true;         ///< one 𝒜 run on all P·G responses (else G runs of P)
  std::string reward = "dpg";      ///< dpg (per-example τ) | naive (dataset-level Φ)
  std::string credit = "sequence"; ///< sequence (Â_i on every token) | token (reward-to-go of τ_ij)

  /// The generator learning rate of GRPO step `step` (1-based): a function of the step alone, so a resumed run
  /// continues on the same schedule.
  double lr_at(int64_t step) const { return lr_drop_step > 0 && step > lr_drop_step ? lr_after_drop : lr; }
  /// The KL coefficient β_KL of GRPO step `step`, on the same kind of schedule as lr_at.
  double kl_at(int64_t step) const { return kl_drop_step > 0 && step > kl_drop_step ? kl_after_drop : kl_coef; }
};

/// 𝒜: the target's inner training run that is differentiated (docs/method.md §2).
struct InnerConfig {
  int64_t T = 8;                    ///< inner optimiser steps; each example is used once
  std::string optimizer = "adamw";  ///< adamw | sgd
  double lr = 1e-2;                 ///< inner learning rate
  double beta1 = 0.9;               ///< AdamW β1
  double beta2 = 0.95;              ///< AdamW β2
  double eps = 1e-8;                ///< AdamW ε (outside the square root)
  double eps_root = 1e-9;           ///< AdamW ε_root (inside the square root)
  double weight_decay = 1e-4;       ///< AdamW decoupled weight decay λ
  int64_t micro_batch = 0;          ///< examples per double-backward micro-batch (0 = whole B)
  std::string dtype = "float32";    ///< float32 | float64
  std::string schedule = "auto";    ///< auto | all | sqrt | all+graphs | sqrt+graphs
  int64_t memory_budget_mb = 0;     ///< state memory the auto schedule may use (0 = no limit)
};

/// Held-out validation (docs/method.md §6).
struct ValidationConfig {
  int64_t every = 25;    ///< validate every N GRPO steps (0 = never)
  int64_t prompts = 16;  ///< held-out prompts per validation (each gets group_size responses)
  int64_t T = 8;         ///< T_val: inner steps of the validation run of 𝒜
  int64_t repeats = 1;   ///< independent validations (fresh samples each) whose Φ and metric are averaged
  double temperature = 1.0;  ///< sampling temperature of the validation responses (training: grpo.temperature)
};

/// Every hyperparameter of one run. Plain data: copy it, compare it, save it beside the run.
struct RunConfig {
  std::string name;               ///< run name shown in the history (empty = preset and time)
  std::string description;        ///< free text (presets explain themselves here)
  uint64_t seed = 0;              ///< seed of every random stream of the run
  GeneratorConfig generator;      ///< the policy
  TargetConfig target;            ///< the target
  ObjectiveConfig objective;      ///< Φ
  PromptsConfig prompts;          ///< prompt sets
  GrpoConfig grpo;                ///< generator update
  InnerConfig inner;              ///< the differentiated inner run 𝒜
  ValidationConfig validation;    ///< held-out validation
  int64_t snapshot_every = 5;     ///< store an LM-head snapshot every N steps (0 = never)
  int64_t checkpoint_every = 50;  ///< write a generator checkpoint every N steps (0 = never)
  int64_t threads = 0;            ///< LibTorch intra-op threads (0 = auto)

  /// Rollouts in one dataset D that one 𝒜 run trains on: P·G with cross_group, else P.
  int64_t examples_per_dataset() const;
  /// Runs of 𝒜 per GRPO step: 1 with cross_group, else G.
  int64_t datasets_per_step() const;
  /// B: examples per inner step, examples_per_dataset() / inner.T.
  int64_t inner_batch() const;
  /// Rollouts in one validation dataset: validation.prompts × group_size.
  int64_t val_examples() const;
  /// Examples per inner step of the validation run: val_examples() / validation.T.
  int64_t val_batch() const;

  /// Throws dpg::model::ConfigError naming the first bad field and why.
  void validate() const;

  /// Sets one field from `key=value` (the CLI's --set), e.g. "grpo.lr=1e-4",
  /// "grpo.cross_group=false", "objective.params.text=hello" or
  /// "objective.params={\"source\":\"qr\"}". The value is parsed as the existing field's type;
  /// strings may be given bare. Throws ConfigError on an unknown key or an unparsable value. Does
  /// not validate() the whole config. Changing objective.kind clears objective.params and objective.stages,
  /// since one plugin's parameters mean nothing to another.
  void apply_override(const std::string& assignment);

  /// Parses a full or partial config: missing fields keep their defaults, unknown keys throw.
  static RunConfig from_json(const nlohmann::json& j);
  /// Every field, including defaults.
  nlohmann::json to_json() const;

  bool operator==(const RunConfig& other) const { return to_json() == other.to_json(); }
};

/// One documented field of RunConfig, for help texts and the run-setup form.
struct FieldInfo {
  std::string path;                  ///< dotted name, e.g. "grpo.lr"
  std::string type;                  ///< "int" | "uint" | "float" | "bool" | "string" | "object" (any JSON)
  std::string doc;                   ///< one line
  nlohmann::json value;              ///< the default
  std::vector<std::string> choices;  ///< allowed values of an enumerated string field
};
/// All fields in declaration order.
std::vector<FieldInfo> run_config_fields();

/// Reads a RunConfig JSON file (throws ConfigError naming the file on bad JSON).
RunConfig load_run_config(const std::string& path);

}  // namespace dpg::config
