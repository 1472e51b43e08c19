// SPDX-License-Identifier: MIT
#pragma once
/// @file Reading a bitmap back as a QR code with zbar: the check behind the QR experiment
/// (docs/results.md (c)), done the way a phone would see the sign image, so "the LM head draws a QR
/// code" means "it scans". Plain C++; no Qt.
#include "core/objective/bitmap.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dpg::objective {

/// The payloads of every QR code zbar finds in @p bitmap, drawn dark on light with a 4-module quiet
/// zone at 4 pixels a module (zbar needs the quiet zone; the objective's images have none). Empty
/// when none scans.
std::vector<std::string> scan_qr(const Bitmap& bitmap);

/// The payload of the first QR code in @p image (pixels > 0 dark), or nullopt when none scans.
std::optional<std::string> scan_qr(const engine::Image& image);

}  // namespace dpg::objective
