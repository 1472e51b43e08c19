// SPDX-License-Identifier: MIT
#pragma once
/// @file Conversions between engine images / bitmaps and QImage for display and export.
#include "core/dpg/objective.h"

#include <QImage>

namespace dpg::ui {

/// A ±1 image as black (dark, > 0) on white, @p scale pixels a cell (nearest neighbour).
QImage sign_image(const engine::Image& image, int scale = 1);
/// A heatmap as blue (negative) – white – red (positive), symmetric around 0.
QImage diverging_image(const engine::Image& image, int scale = 1);

}  // namespace dpg::ui
