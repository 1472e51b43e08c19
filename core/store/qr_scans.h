// SPDX-License-Identifier: MIT
#pragma once
/// @file Which of a stored run's validation sign images scan as its QR code: what `dpg runs show` and `dpg export`
/// report for a QR objective (docs/results.md (c) asks for exactly this check).
#include "core/objective/bitmap.h"
#include "core/objective/qr_damage.h"
#include "core/store/run_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dpg::store {

/// Which validation sign images of a run scan, for runs whose target image is a QR code. Filled from the store by
/// scan_validation_qr, and step by step by a live run's observer (add), so nothing is scanned twice.
struct QrScanSummary {
  std::string payload;               ///< what the target Y decodes to; empty: the target is not a QR code
  int64_t validations = 0;           ///< validation sign images counted
  std::vector<int64_t> scan_steps;   ///< the steps whose validation sign image decodes to the payload
  int64_t newest_step = 0;           ///< the step of the newest validation counted (0: none)
  objective::Bitmap target;          ///< Y, once it scans
  std::optional<objective::QrDamage> newest_damage;  ///< how far the newest validation is from Y (version 1)

  /// Takes Y: the payload, when it scans as a QR code (a no-op once the payload is known).
  void set_target(const engine::Image& y);
  /// Counts the validation sign image of @p step (ignored while the target is not a QR code).
  void add(int64_t step, const engine::Image& sign);
  /// Whether the newest validation counted scans.
  bool newest_scans() const { return !scan_steps.empty() && scan_steps.back() == newest_step; }
};

/// Scans run @p run_id's target and, when it is a QR code, every stored validation sign image ("val_sign").
QrScanSummary scan_validation_qr(const RunStore& store, int64_t run_id);

/// One line for people: "QR: 3 of 40 validation sign images decode to "DPG" (first at step 1250, last at step
/// 2000)", "QR: none of 40 … decodes to "DPG"", or empty when the target is not a QR code. When the newest
/// validation does not scan, the line ends with how far it is: "; step 2000: 21 of 26 codewords wrong (level H
/// repairs 8), 27 of 192 finder modules wrong".
std::string describe(const QrScanSummary& summary);

}  // namespace dpg::store
