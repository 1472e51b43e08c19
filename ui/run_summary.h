// SPDX-License-Identifier: MIT
#pragma once
/// @file What History's columns say about a stored run, read from its row alone: the objective and
/// its source ("67", QR “DPG”, drawn 5×5) and the best validation as "k of N pixels" when the
/// objective draws an image.
#include "core/store/run_store.h"

#include <QString>

namespace dpg::ui {

/// "lmhead_bitmap: 67", "lmhead_bitmap: QR “DPG”", "lmhead_bitmap: drawn 5×5", or the objective
/// kind alone when its parameters describe no image; "" for an unreadable config.
QString objective_summary(const store::RunInfo& run);
/// Pixels of the image the run's objective draws (0 when it draws none).
int target_pixels(const store::RunInfo& run);
/// The best validation metric as "38 of 42 pixels" for a pixel-accuracy run, else "0.931"; "" when
/// the run has not validated.
QString best_summary(const store::RunInfo& run);

}  // namespace dpg::ui
