// SPDX-License-Identifier: MIT
#pragma once
/// @file Which of a stored run's validation sign images scan as its QR code: what `dpg runs show` and `dpg export`
/// report for a QR objective (docs/results.md (c) asks for exactly this check).
#include "core/store/run_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::store {

/// Which validation sign images of a stored run scan, for runs whose target image is a QR code.
struct QrScanSummary {
  std::string payload;               ///< what the target Y decodes to; empty: the target is not a QR code
  int64_t validations = 0;           ///< validation sign images stored
  std::vector<int64_t> scan_steps;   ///< the steps whose validation sign image decodes to the payload
};

/// Scans run @p run_id's target and, when it is a QR code, every stored validation sign image ("val_sign").
QrScanSummary scan_validation_qr(const RunStore& store, int64_t run_id);

/// One line for people: "QR: 3 of 40 validation sign images decode to "DPG" (first at step 1250, last at step
/// 2000)", "QR: none of 40 … decodes to "DPG"", or empty when the target is not a QR code.
std::string describe(const QrScanSummary& summary);

}  // namespace dpg::store
