// SPDX-License-Identifier: MIT
#include "core/store/qr_scans.h"

#include "core/objective/qr_scan.h"

namespace dpg::store {

QrScanSummary scan_validation_qr(const RunStore& store, int64_t run_id) {
  QrScanSummary out;
  const auto target_steps = store.snapshot_steps(run_id, "target");
  if (target_steps.empty()) return out;
  const auto target = store.snapshot(run_id, target_steps.front(), "target");
  const auto payload = target ? objective::scan_qr(*target) : std::nullopt;
  if (!payload) return out;
  out.payload = *payload;
  for (int64_t step : store.snapshot_steps(run_id, "val_sign")) {
    const auto sign = store.snapshot(run_id, step, "val_sign");
    if (!sign) continue;
    ++out.validations;
    if (objective::scan_qr(*sign) == payload) out.scan_steps.push_back(step);
  }
  return out;
}

std::string describe(const QrScanSummary& s) {
  if (s.payload.empty()) return {};
  const std::string what = "validation sign image" + std::string(s.validations == 1 ? "" : "s");
  const std::string to = " \"" + s.payload + "\"";
  if (s.scan_steps.empty())
    return "QR: none of " + std::to_string(s.validations) + " " + what + " decodes to" + to;
  const char* verb = s.scan_steps.size() == 1 ? " decodes to" : " decode to";  // "1 of 40 … decodes"
  return "QR: " + std::to_string(s.scan_steps.size()) + " of " + std::to_string(s.validations) + " " + what + verb +
         to + " (first at step " + std::to_string(s.scan_steps.front()) + ", last at step " +
         std::to_string(s.scan_steps.back()) + ")";
}

}  // namespace dpg::store
