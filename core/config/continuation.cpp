// SPDX-License-Identifier: MIT
#include "core/config/continuation.h"

#include "core/model/errors.h"

#include <set>

namespace dpg::config {
namespace {

using nlohmann::json;

const std::set<std::string>& free_fields() {
  // Not threads: the float sums, and so the steps, depend on it (`dpg resume --threads` overrides
  // it unstored).
  static const std::set<std::string> fields{"name",
                                            "description",
                                            "snapshot_every",
                                            "checkpoint_every",
                                            "validation.every",
                                            "grpo.steps",
                                            "grpo.lr_drop_step",
                                            "grpo.lr_after_drop",
                                            "grpo.kl_drop_step",
                                            "grpo.kl_after_drop",
                                            "objective.stages"};
  return fields;
}

json at(const json& j, const std::string& dotted) {
  std::string pointer = "/" + dotted;
  for (auto& ch : pointer)
    if (ch == '.') ch = '/';
  const json::json_pointer p(pointer);
  return j.contains(p) ? j.at(p) : json();
}

std::string brief(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

/// Step 1 and every step up to @p last where either config's lr or objective params may change,
/// ascending.
std::set<int64_t> change_points(const RunConfig& a, const RunConfig& b, int64_t last) {
  std::set<int64_t> steps;
  if (last >= 1) steps.insert(1);
  for (const RunConfig* c : {&a, &b}) {
    if (c->grpo.lr_drop_step > 0 && c->grpo.lr_drop_step + 1 <= last)
      steps.insert(c->grpo.lr_drop_step + 1);
    if (c->grpo.kl_drop_step > 0 && c->grpo.kl_drop_step + 1 <= last)
      steps.insert(c->grpo.kl_drop_step + 1);
    for (const auto& stage : c->objective.stages) {
      const int64_t from = stage.value("from_step", int64_t(0));  // validated: an integer ≥ 2
      if (from >= 1 && from <= last) steps.insert(from);
    }
  }
  return steps;
}

}  // namespace

RunConfig continued_config(const RunConfig& stored, const std::vector<std::string>& sets,
                           int64_t made_steps) {
  RunConfig next = stored;
  for (const auto& kv : sets) next.apply_override(kv);
  next.validate();
  const std::string made = made_steps == 1 ? "step 1" : "steps 1-" + std::to_string(made_steps);
  auto fail = [&](const std::string& field, const std::string& why) {
    throw model::ConfigError(field + ": " + why);
  };

  // Every field that shapes a step, other than the step-indexed schedules, stays as stored.
  const json before = stored.to_json(), after = next.to_json();
  for (const auto& f : run_config_fields()) {
    if (made_steps == 0 || free_fields().count(f.path))
      continue;  // nothing made yet: anything may change
    const json a = at(before, f.path), b = at(after, f.path);
    if (a != b)
      fail(f.path, "cannot change when continuing a run: its " + made + " were made with " +
                       brief(a) +
                       " (only grpo.steps, the lr and KL drops, objective.stages and bookkeeping "
                       "fields may change)");
  }
  if (next.grpo.steps <= made_steps)
    fail("grpo.steps",
         "must be more than the " + std::to_string(made_steps) + " steps already made");
  // The schedules may change only after the steps made: the same lr and objective at every one of
  // them. Both are constant between their change points, so the first step where they differ is
  // step 1 or a change point.
  for (const int64_t s : change_points(stored, next, made_steps)) {
    if (next.grpo.lr_at(s) != stored.grpo.lr_at(s))
      fail("grpo.lr_drop_step", "would change the generator learning rate of step " +
                                    std::to_string(s) +
                                    ", already made; a drop must come at step " +
                                    std::to_string(made_steps) + " or later");
    if (next.grpo.kl_at(s) != stored.grpo.kl_at(s))
      fail("grpo.kl_drop_step", "would change the KL coefficient of step " + std::to_string(s) +
                                    ", already made; a drop must come at step " +
                                    std::to_string(made_steps) + " or later");
    if (next.objective.params_at(s) != stored.objective.params_at(s))
      fail("objective.stages", "would change the objective of step " + std::to_string(s) +
                                   ", already made; a new stage must begin after step " +
                                   std::to_string(made_steps));
  }
  return next;
}

}  // namespace dpg::config
