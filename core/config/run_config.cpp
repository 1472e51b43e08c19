// SPDX-License-Identifier: MIT
#include "core/config/run_config.h"

#include "core/config/checks.h"
#include "core/config/device.h"
#include "core/config/json_file.h"
#include "core/model/errors.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

namespace dpg::config {
namespace {

using check::fail;
using check::need;
using model::ConfigError;
using nlohmann::json;

// The field table: f(path, field, doc) for every field, in declaration order. It is the one place
// each field is documented (run_config_fields() shows it in help texts and the run-setup form), and
// it drives from_json, to_json and overrides, so they cannot drift apart. An enumerated field's
// choices are its enum's spellings (enums.h).

template <class Cfg, class F>
void visit_run_head(Cfg& c, F& f) {
  f("name", c.name, "run name shown in the history (empty = preset and time)");
  f("description", c.description, "free text; presets explain themselves here");
  f("seed", c.seed, "seed of every random stream of the run");
  f("generator.model", c.generator.model,
    "generator (the policy GRPO trains): model path, bundled resource name or alias (smollm2)");
  f("generator.chat", c.generator.chat, "wrap prompts in the generator's chat template");
  f("target.model", c.target.model,
    "target (whose inner training the metagradient differentiates): model path, bundled resource "
    "name or alias");
  f("target.seq_len", c.target.seq_len,
    "L: target tokens per example (truncation, and the loss divisor)");
  f("objective.kind", c.objective.kind,
    "objective plugin id: lmhead_bitmap | lmhead_norm | lmhead_row_norms | text_likelihood");
  f("objective.params", c.objective.params, "objective parameters, passed to the plugin");
  f("objective.stages", c.objective.stages,
    "later objective stages: [{\"from_step\": s, \"params\": {...}}, ...], from_step >= 2 and "
    "ascending; from step s on, these params are merged into objective.params (RFC 7396 merge "
    "patch; e.g. a focus added mid-run). Not in the paper");
  f("prompts.train", c.prompts.train,
    "prompts sampled for GRPO steps (resource name or path; .txt one prompt a line, or .jsonl)");
  f("prompts.val", c.prompts.val, "held-out validation prompts (resource name or path)");
}

template <class Cfg, class F>
void visit_grpo_update(Cfg& g, F& f) {
  f("grpo.steps", g.steps, "number of GRPO steps");
  f("grpo.prompts_per_step", g.prompts_per_step, "P: prompts sampled per step");
  f("grpo.group_size", g.group_size, "G: responses per prompt");
  f("grpo.lr", g.lr, "generator AdamW learning rate");
  f("grpo.lr_drop_step", g.lr_drop_step,
    "the steps after this one use lr_after_drop as the generator learning rate (0 = grpo.lr "
    "throughout). Not in the paper");
  f("grpo.lr_after_drop", g.lr_after_drop, "generator learning rate after lr_drop_step");
  f("grpo.weight_decay", g.weight_decay, "generator AdamW weight decay");
  f("grpo.beta1", g.beta1, "generator AdamW beta1");
  f("grpo.beta2", g.beta2, "generator AdamW beta2");
  f("grpo.clip", g.clip, "PPO ratio clip epsilon");
  f("grpo.grad_clip", g.grad_clip, "global gradient-norm clip (0 = off)");
  f("grpo.kl_coef", g.kl_coef, "beta_KL: KL penalty to the frozen starting generator");
  f("grpo.kl_drop_step", g.kl_drop_step,
    "the steps after this one use kl_after_drop as the KL coefficient (0 = kl_coef throughout). "
    "Not in the paper");
  f("grpo.kl_after_drop", g.kl_after_drop, "KL coefficient after kl_drop_step");
  f("grpo.entropy_coef", g.entropy_coef,
    "beta_H, entropy bonus: subtracts this times the policy's token-mean entropy from the loss "
    "(0 = off). Not in the paper");
  f("grpo.minibatch_prompts", g.minibatch_prompts,
    "prompts per generator optimiser mini-batch (one epoch)");
  f("grpo.micro_batch", g.micro_batch,
    "rollouts per forward/backward of the generator update, gradients summed (0 = the whole "
    "mini-batch; "
    "smaller uses less memory, same update)");
}

template <class Cfg, class F>
void visit_grpo_rollouts(Cfg& g, F& f) {
  f("grpo.temperature", g.temperature, "sampling temperature");
  f("grpo.top_p", g.top_p, "nucleus sampling mass (1 = off)");
  f("grpo.max_new_tokens", g.max_new_tokens, "maximum response length in generator tokens");
  f("grpo.min_new_tokens", g.min_new_tokens,
    "no stop token before this many response tokens (0 = off; >= max_new_tokens: fixed-length "
    "responses)");
  f("grpo.cross_group", g.cross_group, "one inner run on all P*G responses (else G runs of P)");
  f("grpo.reward", g.reward, "dpg (per-example metagradient tau) | naive (dataset-level Phi)");
  f("grpo.credit", g.credit,
    "sequence (one advantage per response, the paper) | token (reward-to-go of per-token tau; "
    "byte-level target)");
}

template <class Cfg, class F>
void visit_inner(Cfg& i, F& f) {
  f("inner.T", i.T, "T: inner optimiser steps; each example is used once");
  f("inner.optimizer", i.optimizer, "inner optimiser");
  f("inner.lr", i.lr, "eta: inner learning rate");
  f("inner.beta1", i.beta1, "inner AdamW beta1");
  f("inner.beta2", i.beta2, "inner AdamW beta2");
  f("inner.eps", i.eps, "inner AdamW epsilon (outside the square root)");
  f("inner.eps_root", i.eps_root, "inner AdamW epsilon_root (inside the square root)");
  f("inner.weight_decay", i.weight_decay, "lambda: inner AdamW decoupled weight decay");
  f("inner.micro_batch", i.micro_batch,
    "examples per double-backward micro-batch (0 = the whole batch B)");
  f("inner.dtype", i.dtype, "precision of the inner run");
  f("inner.schedule", i.schedule, "which inner states the reverse pass stores");
  f("inner.memory_budget_mb", i.memory_budget_mb,
    "state memory the auto schedule may use, in MiB (0 = no limit: the fastest schedule)");
}

template <class Cfg, class F>
void visit_run_tail(Cfg& c, F& f) {
  f("validation.every", c.validation.every, "validate every N GRPO steps (0 = never)");
  f("validation.prompts", c.validation.prompts,
    "held-out prompts per validation (each gets group_size responses)");
  f("validation.T", c.validation.T, "T_val: inner steps of the validation run");
  f("validation.repeats", c.validation.repeats,
    "independent validations, each on fresh samples, whose Phi and metric are averaged (less "
    "noise, R times the cost)");
  f("validation.temperature", c.validation.temperature,
    "sampling temperature of the validation responses (1 = the policy as sampled; training uses "
    "grpo.temperature)");
  f("snapshot_every", c.snapshot_every, "store an LM-head snapshot every N steps (0 = never)");
  f("checkpoint_every", c.checkpoint_every,
    "write a generator checkpoint every N steps (0 = never)");
  f("threads", c.threads, "LibTorch intra-op threads (0 = auto)");
  f("run.device", c.run.device,
    "where the engine runs: cpu | cuda | cuda:N (store, GUI and CLI stay on the host)");
  f("run.precision", c.run.precision,
    "arithmetic of generation and the GRPO update: float32 | bf16 (autocast) | tf32 (CUDA "
    "matmuls) | float64 (theta in float64: exactness checks); the inner run and tau keep "
    "inner.dtype");
}

/// Calls f(path, field, doc) for every field of @p c, in declaration order.
template <class Cfg, class F>
void visit_fields(Cfg& c, F&& f) {
  visit_run_head(c, f);
  visit_grpo_update(c.grpo, f);
  visit_grpo_rollouts(c.grpo, f);
  visit_inner(c.inner, f);
  visit_run_tail(c, f);
}

template <class T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, std::string> || std::is_enum_v<T>)
    return "string";
  else if constexpr (std::is_same_v<T, bool>)
    return "bool";
  else if constexpr (std::is_same_v<T, int64_t>)
    return "int";
  else if constexpr (std::is_same_v<T, uint64_t>)
    return "uint";
  else if constexpr (std::is_same_v<T, double>)
    return "float";
  else
    return "object";
}

/// A field's JSON value: an enum as its spelling, anything else as itself.
template <class T>
json json_of(const T& field) {
  if constexpr (std::is_enum_v<T>)
    return json(name_of(field));
  else
    return json(field);
}

std::string short_dump(const json& v) {
  std::string s = v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

/// Assigns a JSON number to an integer field, or throws naming the field.
template <class T>
void assign_integer(const std::string& path, T& field, const json& v) {
  const char* what = std::is_same_v<T, int64_t> ? "an integer" : "a non-negative integer";
  auto expected = [&] { fail(path, std::string("expected ") + what + ", got " + short_dump(v)); };
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (std::is_same_v<T, int64_t> && u > uint64_t(std::numeric_limits<int64_t>::max())) expected();
    field = T(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<int64_t>();
    if (std::is_same_v<T, uint64_t> && i < 0) expected();
    field = T(i);
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15) expected();
    if (std::is_same_v<T, uint64_t> && d < 0) expected();
    field = T(d);
  } else {
    expected();
  }
}

/// Assigns a JSON value to a typed field, or throws naming the field and the expected type; an
/// enumerated field takes one of its spellings and names them all otherwise.
template <class T>
void assign(const std::string& path, T& field, const json& v) {
  auto expected = [&](const char* what) {
    fail(path, std::string("expected ") + what + ", got " + short_dump(v));
  };
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) expected("a string");
    field = v.get<std::string>();
  } else if constexpr (std::is_enum_v<T>) {
    if (!v.is_string()) expected("a string");
    const auto value = parse_enum<T>(v.get<std::string>());
    if (!value)
      fail(path, "must be one of " + spellings_list<T>() + " (got '" + v.get<std::string>() + "')");
    field = *value;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) expected("true or false");
    field = v.get<bool>();
  } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, uint64_t>) {
    assign_integer(path, field, v);
  } else if constexpr (std::is_same_v<T, double>) {
    if (!v.is_number()) expected("a number");
    field = v.get<double>();
  } else {  // a JSON field keeps the shape of its default: objective.params an object,
            // objective.stages an array
    const bool array = field.is_array();
    if (array ? !v.is_array() : !v.is_object()) expected(array ? "a JSON array" : "a JSON object");
    field = v;
  }
}
std::string pointer_of(const std::string& dotted) {
  std::string p = "/" + dotted;
  std::replace(p.begin(), p.end(), '.', '/');
  return p;
}

// A --set path into objective.params may name an existing array element or the one just past the
// end, never one further: the JSON library would fill the gap with nulls, so a large index (or a
// number naming a new array's element) would allocate without bound. @p pointer: the JSON pointer
// the path becomes (a key's own '/' separates levels too).
void check_array_indices(const json& root, const std::string& key, const std::string& pointer) {
  const json* node = &root;
  for (size_t from = 1; from <= pointer.size();) {
    const size_t slash = std::min(pointer.find('/', from), pointer.size());
    const std::string token = pointer.substr(from, slash - from);
    from = slash + 1;
    const bool numeric = !token.empty() && std::all_of(token.begin(), token.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
    const bool in_array = node && node->is_array();
    if (numeric && (in_array || !node || node->is_null())) {
      const size_t size = in_array ? node->size() : 0;
      const size_t index = token.size() > 18 ? SIZE_MAX : size_t(std::stoull(token));
      if (index > size)
        fail(key, "cannot set: element " + token + " of an array of " + std::to_string(size) +
                      " (at most one past its end)");
      node = index < size ? &(*node)[index] : nullptr;
    } else if (node && node->is_object() && node->contains(token)) {
      node = &(*node)[token];
    } else {
      node = nullptr;  // created by the assignment (or refused by it)
    }
  }
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> field_paths() {
  std::vector<std::string> paths;
  RunConfig c;
  visit_fields(c, [&](const char* path, auto&, const char*) { paths.push_back(path); });
  return paths;
}

[[noreturn]] void unknown_key(const std::string& key) {
  std::string best;
  size_t best_d = 4;  // suggest only close matches
  for (const auto& p : field_paths()) {
    const size_t d = edit_distance(key, p);
    if (d < best_d) best_d = d, best = p;
  }
  fail(key, "unknown key" + (best.empty() ? std::string() : " (did you mean " + best + "?)"));
}

/// Throws on any key that is neither a field nor a section holding fields.
void check_keys(const json& node, const std::string& prefix, const std::set<std::string>& leaves,
                const std::set<std::string>& sections) {
  if (!node.is_object())
    fail(prefix.empty() ? std::string("config") : prefix,
         "expected a JSON object, got " + short_dump(node));
  for (const auto& [key, value] : node.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (path == kPresetCardKey) continue;  // a preset's Start-page card, not part of the run
    if (leaves.count(path)) continue;
    if (sections.count(path)) {
      check_keys(value, path, leaves, sections);
      continue;
    }
    unknown_key(path);
  }
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

/// Parses the text of a --set value as JSON for the field type T (an enum is given as its
/// spelling).
template <class T>
json parse_override_value(const std::string& path, const std::string& text) {
  if constexpr (std::is_same_v<T, std::string> || std::is_enum_v<T>) {
    // Bare words are strings; a quoted JSON string is unquoted.
    if (text.size() >= 2 && text.front() == '"') {
      json v = json::parse(text, nullptr, false);
      if (!v.is_discarded() && v.is_string()) return v;
    }
    return json(text);
  } else if constexpr (std::is_same_v<T, bool>) {
    const std::string t = lower(text);
    if (t == "true" || t == "1" || t == "yes" || t == "on") return json(true);
    if (t == "false" || t == "0" || t == "no" || t == "off") return json(false);
    fail(path, "expected true or false, got '" + text + "'");
  } else {
    json v = json::parse(text, nullptr, false);
    if (v.is_discarded())
      fail(path, std::string("expected ") +
                     (std::is_same_v<T, double> ? "a number"
                      : std::is_same_v<T, json> ? "a JSON object"
                                                : "an integer") +
                     ", got '" + text + "'");
    return v;
  }
}

}  // namespace

int64_t RunConfig::examples_per_dataset() const {
  return grpo.cross_group ? grpo.prompts_per_step * grpo.group_size : grpo.prompts_per_step;
}

int64_t RunConfig::datasets_per_step() const {
  return grpo.cross_group ? 1 : grpo.group_size;
}

int64_t RunConfig::inner_batch() const {
  return inner.T > 0 ? examples_per_dataset() / inner.T : 0;
}

int64_t RunConfig::val_examples() const {
  return validation.prompts * grpo.group_size;
}

InnerConfig RunConfig::val_inner() const {
  InnerConfig v = inner;
  v.T = validation.T;
  return v;
}

int64_t RunConfig::val_batch() const {
  return validation.T > 0 ? val_examples() / validation.T : 0;
}

json ObjectiveConfig::params_at(int64_t step) const {
  json p = params;
  if (!stages.is_array()) return p;
  for (const auto& stage : stages) {
    if (!stage.is_object() || !stage.contains("from_step") ||
        !stage["from_step"].is_number_integer())
      continue;
    if (stage["from_step"].get<int64_t>() > step) break;  // ascending (validate())
    if (stage.contains("params")) p.merge_patch(stage["params"]);
  }
  return p;
}

namespace {

void validate_models(const RunConfig& c) {
  const char* model_why = "must name a model (path, resource or alias)";
  need(!c.generator.model.empty(), "generator.model", model_why);
  need(!c.target.model.empty(), "target.model", model_why);
  need(c.target.seq_len >= 2, "target.seq_len", "must be at least 2 tokens");
}

void validate_stages(const json& stages) {
  need(stages.is_array(), "objective.stages",
       "must be a JSON array of {\"from_step\", \"params\"}");
  int64_t previous_from = 1;
  for (size_t i = 0; i < stages.size(); ++i) {
    const std::string at = "objective.stages[" + std::to_string(i) + "]";
    const json& stage = stages[i];
    if (!stage.is_object())
      fail(at, "expected {\"from_step\": s, \"params\": {...}}, got " + short_dump(stage));
    for (const auto& [key, value] : stage.items())
      if (key != "from_step" && key != "params")
        fail(at + "." + key, "unknown key (a stage has from_step and params)");
    const json from = stage.value("from_step", json());
    if (!from.is_number_integer() || from.get<int64_t>() <= previous_from)
      fail(at + ".from_step",
           previous_from == 1
               ? "must be a step number of at least 2 (step 1 uses objective.params)"
               : "must be after the previous stage's step " + std::to_string(previous_from));
    previous_from = from.get<int64_t>();
    if (!stage.contains("params") || !stage["params"].is_object())
      fail(at + ".params",
           "must be a JSON object of plugin parameters to merge into objective.params");
  }
}

void validate_objective(const ObjectiveConfig& o) {
  const bool id_ok = !o.kind.empty() && std::all_of(o.kind.begin(), o.kind.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  });
  need(id_ok, "objective.kind",
       "must be a plugin id such as lmhead_bitmap, lmhead_norm, lmhead_row_norms or "
       "text_likelihood (got '" +
           o.kind + "')");
  need(o.params.is_object(), "objective.params", "must be a JSON object");
  validate_stages(o.stages);
}

void validate_grpo_rollouts(const GrpoConfig& g) {
  need(g.steps >= 1, "grpo.steps", "must be at least 1");
  need(g.prompts_per_step >= 1, "grpo.prompts_per_step", "must be at least 1");
  need(g.group_size >= 1, "grpo.group_size", "must be at least 1");
  need(g.reward != Reward::Dpg || g.group_size >= 2, "grpo.group_size",
       "must be at least 2: DPG advantages are normalised within a group of responses");
  need(g.credit == Credit::Sequence || g.reward == Reward::Dpg, "grpo.credit",
       "token credit needs the dpg reward (per-token metagradients); naive has one reward per "
       "dataset");
  need(g.reward != Reward::Naive || !g.cross_group, "grpo.cross_group",
       "must be false for the naive reward: it scores G separate datasets, one per response slot");
}

void validate_grpo_update(const GrpoConfig& g) {
  using namespace check;
  positive(g.lr, "grpo.lr");
  need(g.lr_drop_step >= 0, "grpo.lr_drop_step", "must be 0 (no drop) or a step number");
  positive(g.lr_after_drop, "grpo.lr_after_drop");
  non_negative(g.weight_decay, "grpo.weight_decay");
  fraction(g.beta1, "grpo.beta1");
  fraction(g.beta2, "grpo.beta2");
  positive(g.clip, "grpo.clip");
  non_negative(g.grad_clip, "grpo.grad_clip");
  non_negative(g.kl_coef, "grpo.kl_coef");
  need(g.kl_drop_step >= 0, "grpo.kl_drop_step", "must be 0 (no drop) or a step number");
  non_negative(g.kl_after_drop, "grpo.kl_after_drop");
  non_negative(g.entropy_coef, "grpo.entropy_coef");
  need(g.micro_batch >= 0, "grpo.micro_batch", "must be 0 (the whole mini-batch) or positive");
  need(g.minibatch_prompts >= 1 && g.minibatch_prompts <= g.prompts_per_step,
       "grpo.minibatch_prompts",
       "must be between 1 and prompts_per_step (" + std::to_string(g.prompts_per_step) + ")");
  positive(g.temperature, "grpo.temperature");
  need(std::isfinite(g.top_p) && g.top_p > 0.0 && g.top_p <= 1.0, "grpo.top_p",
       "must be in (0, 1]");
  need(g.max_new_tokens >= 1, "grpo.max_new_tokens", "must be at least 1");
  need(g.min_new_tokens >= 0, "grpo.min_new_tokens", "must be zero or positive");
}

/// The inner settings, and T and micro_batch against the dataset they split.
void validate_inner(const RunConfig& c) {
  c.inner.validate();
  const int64_t n = c.examples_per_dataset();
  const std::string n_source = c.grpo.cross_group
                                   ? "(prompts_per_step × group_size)"
                                   : "(prompts_per_step, since grpo.cross_group is false)";
  need(n % c.inner.T == 0, "inner.T",
       "must divide the " + std::to_string(n) + " rollouts per dataset " + n_source);
  need(c.inner.micro_batch == 0 || c.inner_batch() % c.inner.micro_batch == 0, "inner.micro_batch",
       "must divide the inner batch B = " + std::to_string(c.inner_batch()) +
           " (rollouts per dataset / inner.T)");
}

void validate_validation(const RunConfig& c) {
  const ValidationConfig& v = c.validation;
  need(v.every >= 0, "validation.every", "must be 0 (never) or positive");
  need(v.prompts >= 1, "validation.prompts", "must be at least 1");
  need(v.T >= 1, "validation.T", "must be at least 1");
  need(v.repeats >= 1, "validation.repeats", "must be at least 1");
  check::positive(v.temperature, "validation.temperature");
  need(c.val_examples() % v.T == 0, "validation.T",
       "must divide the " + std::to_string(c.val_examples()) +
           " validation rollouts (validation.prompts × group_size)");
}

}  // namespace

void RunConfig::validate() const {
  validate_settings();
  usable_device(run.device);
}

void RunConfig::validate_settings() const {
  validate_models(*this);
  validate_objective(objective);
  need(!prompts.train.empty(), "prompts.train", "must name a prompt file");
  need(!prompts.val.empty(), "prompts.val", "must name a prompt file");
  validate_grpo_rollouts(grpo);
  validate_grpo_update(grpo);
  validate_inner(*this);
  validate_validation(*this);
  need(snapshot_every >= 0, "snapshot_every", "must be 0 (never) or positive");
  need(checkpoint_every >= 0, "checkpoint_every", "must be 0 (never) or positive");
  need(threads >= 0, "threads", "must be 0 (auto) or positive");
  parse_device(run.device);
}

void RunConfig::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos)
    throw ConfigError("--set '" + assignment + "': expected key=value, e.g. grpo.lr=1e-4");
  const std::string key = trim(assignment.substr(0, eq));
  const std::string text = trim(assignment.substr(eq + 1));
  if (key.empty()) throw ConfigError("--set '" + assignment + "': the key is empty");

  // Plugin parameters are free-form: JSON if it parses, else a bare string.
  const std::string params_prefix = "objective.params.";
  if (key.rfind(params_prefix, 0) == 0 && key.size() > params_prefix.size()) {
    json v = json::parse(text, nullptr, false);
    if (v.is_discarded()) v = text;
    if (!objective.params.is_object()) objective.params = json::object();
    const std::string pointer = pointer_of(key.substr(params_prefix.size()));
    check_array_indices(objective.params, key, pointer);
    try {
      objective.params[json::json_pointer(pointer)] = v;
    } catch (const json::exception& e) {
      fail(key, std::string("cannot set: ") + e.what());
    }
    return;
  }

  if (key == "objective.kind") {
    const std::string before = objective.kind;
    assign(key, objective.kind, parse_override_value<std::string>(key, text));
    // The old plugin's parameters mean nothing to a different plugin.
    if (objective.kind != before)
      objective.params = json::object(), objective.stages = json::array();
    return;
  }

  bool found = false;
  visit_fields(*this, [&](const char* path, auto& field, const char*) {
    if (found || key != path) return;
    using T = std::decay_t<decltype(field)>;
    assign(key, field, parse_override_value<T>(key, text));
    found = true;
  });
  if (!found) unknown_key(key);
}

RunConfig RunConfig::from_json(const json& j) {
  std::set<std::string> leaves, sections;
  for (const auto& p : field_paths()) {
    leaves.insert(p);
    for (auto dot = p.find('.'); dot != std::string::npos; dot = p.find('.', dot + 1))
      sections.insert(p.substr(0, dot));
  }
  check_keys(j, "", leaves, sections);

  RunConfig c;
  visit_fields(c, [&](const char* path, auto& field, const char*) {
    const json::json_pointer ptr(pointer_of(path));
    if (j.contains(ptr)) assign(path, field, j.at(ptr));
  });
  return c;
}

json RunConfig::to_json() const {
  json j = json::object();
  visit_fields(*this, [&](const char* path, const auto& field, const char*) {
    j[json::json_pointer(pointer_of(path))] = json_of(field);
  });
  return j;
}

std::vector<FieldInfo> run_config_fields() {
  std::vector<FieldInfo> out;
  const RunConfig defaults;
  visit_fields(defaults, [&](const char* path, const auto& field, const char* doc) {
    using T = std::decay_t<decltype(field)>;
    FieldInfo info{path, type_name<T>(), doc, json_of(field), {}};
    if constexpr (std::is_enum_v<T>)
      for (const auto& s : Spellings<T>::all) info.choices.emplace_back(s.name);
    out.push_back(std::move(info));
  });
  return out;
}

RunConfig load_run_config(const std::string& path) {
  const json j = read_json_file(path);
  try {
    return RunConfig::from_json(j);
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

}  // namespace dpg::config
