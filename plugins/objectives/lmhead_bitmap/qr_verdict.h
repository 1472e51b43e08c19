// SPDX-License-Identifier: MIT
#pragma once
/// @file The lmhead_bitmap plugin's verdicts: a target Y that scans as a QR code gets a judge that
/// says whether a sign image scans as the same payload (qr_scan.h, with zbar) and, when it does
/// not, how far it is (qr_damage.h). Any other target (the "67", a drawing) gets none.
#include "core/plugin/verdict.h"

#include <memory>

namespace dpg::objective {

/// The judge of @p target's sign images, or nullptr when @p target does not scan as a QR code.
std::unique_ptr<plugin::Judge> qr_judge(const engine::Image& target);

}  // namespace dpg::objective
