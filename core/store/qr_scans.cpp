// SPDX-License-Identifier: MIT
#include "core/store/qr_scans.h"

#include "core/objective/qr_scan.h"

namespace dpg::store {

void QrScanSummary::set_target(const engine::Image& y) {
  if (!payload.empty()) return;
  payload = objective::scan_qr(y).value_or(std::string());
  if (!payload.empty()) target = objective::Bitmap::from_image(y);
}

void QrScanSummary::add(int64_t step, const engine::Image& sign) {
  if (payload.empty()) return;
  ++validations;
  newest_step = step;
  if (objective::scan_qr(sign) == payload) scan_steps.push_back(step);
  newest_damage = objective::qr_damage(target, objective::Bitmap::from_image(sign));
}

QrScanSummary scan_validation_qr(const RunStore& store, int64_t run_id) {
  QrScanSummary out;
  const auto target_steps = store.snapshot_steps(run_id, "target");
  if (target_steps.empty()) return out;
  if (const auto target = store.snapshot(run_id, target_steps.front(), "target")) out.set_target(*target);
  if (out.payload.empty()) return out;
  for (int64_t step : store.snapshot_steps(run_id, "val_sign"))
    if (const auto sign = store.snapshot(run_id, step, "val_sign")) out.add(step, *sign);
  return out;
}

std::string describe(const QrScanSummary& s) {
  if (s.payload.empty()) return {};
  const std::string what = "validation sign image" + std::string(s.validations == 1 ? "" : "s");
  const std::string to = " \"" + s.payload + "\"";
  std::string newest;  // how far the newest validation is, when it does not scan
  if (!s.newest_scans() && s.newest_damage)
    newest = "; step " + std::to_string(s.newest_step) + ": " + objective::describe(*s.newest_damage);
  if (s.scan_steps.empty())
    return "QR: none of " + std::to_string(s.validations) + " " + what + " decodes to" + to + newest;
  const char* verb = s.scan_steps.size() == 1 ? " decodes to" : " decode to";  // "1 of 40 … decodes"
  return "QR: " + std::to_string(s.scan_steps.size()) + " of " + std::to_string(s.validations) + " " + what + verb +
         to + " (first at step " + std::to_string(s.scan_steps.front()) + ", last at step " +
         std::to_string(s.scan_steps.back()) + ")" + newest;
}

}  // namespace dpg::store
