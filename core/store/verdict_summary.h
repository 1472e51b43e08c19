// SPDX-License-Identifier: MIT
#pragma once
/// @file A run's validation sign images judged by its objective's verdicts (core/plugin/verdict.h):
/// what `dpg run`, `dpg runs show` and `dpg export` report, e.g. for a QR target whether and since
/// when a validation scans. The store knows nothing of what is judged; the judge comes from the
/// run's plugin.
#include "core/plugin/verdict.h"
#include "core/store/run_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dpg::store {

/// Filled from the store by summarise_validations, and step by step by a live run's observer
/// (set_target, add), so nothing is judged twice.
struct VerdictSummary {
  std::shared_ptr<const plugin::Judge> judge;  ///< null while the target has no verdicts
  int64_t validations = 0;                     ///< validation sign images judged
  std::vector<int64_t> pass_steps;             ///< the steps whose validation passed
  int64_t newest_step = 0;                     ///< the newest validation judged (0: none)
  std::optional<plugin::Verdict> newest;       ///< its verdict

  /// Takes the target Y: asks @p make for its judge (a no-op once there is one).
  void set_target(const engine::Image& y, const plugin::JudgeFactory& make);
  /// Judges the validation sign image of @p step (ignored without a judge).
  void add(int64_t step, const engine::Image& sign);
  /// Whether the newest validation judged passes.
  bool newest_passes() const { return newest && newest->pass; }
};

/// Judges run @p run_id's stored validation sign images ("val_sign") against its first target.
VerdictSummary summarise_validations(const RunStore& store, int64_t run_id,
                                     const plugin::JudgeFactory& make);

/// One line for people, empty without a judge, e.g. "QR: 3 of 40 validation sign images decode to
/// "DPG" (first at step 1250, last at step 2000)" or "QR: none of 40 … decodes to "DPG"". When the
/// newest validation does not pass and its verdict has a detail, the line ends with it: "; step
/// 2000: 21 of 26 codewords wrong (level H repairs 8), 27 of 192 finder modules wrong".
std::string describe(const VerdictSummary& summary);

}  // namespace dpg::store
