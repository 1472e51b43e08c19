// SPDX-License-Identifier: MIT
#pragma once
/// @file Conversions between engine images / bitmaps and QImage for display and export.
#include "core/dpg/objective.h"

#include <nlohmann/json.hpp>

#include <QImage>

#include <utility>
#include <vector>

namespace dpg::ui {

/// A ±1 image as black (dark, > 0) on white, @p scale pixels a cell (nearest neighbour).
QImage sign_image(const engine::Image& image, int scale = 1);
/// Whether @p sign can be counted against @p target: both present and of the same shape.
bool sign_comparable(const engine::Image& sign, const engine::Image& target);
/// Cells (row, col) where @p sign disagrees with the ±1 @p target (sign · target ≤ 0: a zero change
/// counts as wrong, as in the pixel-accuracy metric); empty when either is empty or the shapes
/// differ.
std::vector<std::pair<int, int>> sign_mismatches(const engine::Image& sign,
                                                 const engine::Image& target);
/// sign_image with a red frame around each cell of @p wrong.
QImage sign_image_marked(const engine::Image& sign, const std::vector<std::pair<int, int>>& wrong,
                         int scale);
/// Y as the LM-head view shows it (dark +1, light −1) for a bitmap-drawing objective's parameters
/// (core/objective/bitmap_params.h); empty when they describe no image.
engine::Image bitmap_target(const nlohmann::json& params);
/// A heatmap as blue (negative) – white – red (positive), symmetric around 0.
QImage diverging_image(const engine::Image& image, int scale = 1);

}  // namespace dpg::ui
