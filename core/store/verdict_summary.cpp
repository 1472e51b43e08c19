// SPDX-License-Identifier: MIT
#include "core/store/verdict_summary.h"

namespace dpg::store {

void VerdictSummary::set_target(const engine::Image& y, const plugin::JudgeFactory& make) {
  if (judge || !make || y.empty()) return;
  judge = make(y);
}

void VerdictSummary::add(int64_t step, const engine::Image& sign) {
  if (!judge) return;
  ++validations;
  newest_step = step;
  newest = judge->judge(sign);
  if (newest->pass) pass_steps.push_back(step);
}

VerdictSummary summarise_validations(const RunStore& store, int64_t run_id,
                                     const plugin::JudgeFactory& make) {
  VerdictSummary out;
  const auto target_steps = store.snapshot_steps(run_id, "target");
  if (target_steps.empty()) return out;
  if (const auto target = store.snapshot(run_id, target_steps.front(), "target"))
    out.set_target(*target, make);
  if (!out.judge) return out;
  for (int64_t step : store.snapshot_steps(run_id, "val_sign"))
    if (const auto sign = store.snapshot(run_id, step, "val_sign")) out.add(step, *sign);
  return out;
}

std::string describe(const VerdictSummary& s) {
  if (!s.judge) return {};
  const auto& t = s.judge->terms();
  const std::string what = "validation sign image" + std::string(s.validations == 1 ? "" : "s");
  std::string newest;  // the newest validation's detail, when it does not pass
  if (s.newest && !s.newest->pass && !s.newest->detail.empty())
    newest = "; step " + std::to_string(s.newest_step) + ": " + s.newest->detail;
  if (s.pass_steps.empty())
    return t.label + ": none of " + std::to_string(s.validations) + " " + what + " " +
           t.passes_one + newest;
  const std::string& verb = s.pass_steps.size() == 1 ? t.passes_one : t.passes_many;
  return t.label + ": " + std::to_string(s.pass_steps.size()) + " of " +
         std::to_string(s.validations) + " " + what + " " + verb + " (first at step " +
         std::to_string(s.pass_steps.front()) + ", last at step " +
         std::to_string(s.pass_steps.back()) + ")" + newest;
}

}  // namespace dpg::store
