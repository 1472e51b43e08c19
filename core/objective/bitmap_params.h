// SPDX-License-Identifier: MIT
#pragma once
/// @file The parameters that describe a drawn target image Y (source 67 / qr / bitmap / png and
/// what each needs). Shared by the objectives that draw a bitmap into the target
/// (plugins/objectives/lmhead_bitmap) and by the GUI's bitmap designer, which loads any such
/// description into its editor, so both read a target the same way and give the same reasons.
/// Plain C++; no torch, no Qt.
#include "core/objective/bitmap.h"
#include "core/objective/params.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dpg::objective {

/// source, text, ec_level, version, bits, rows, cols, png.
const std::vector<ParamSpec>& bitmap_source_parameters();

/// Y from @p checked parameters (checked_params() against specs that include
/// bitmap_source_parameters(), so every key is present). Throws std::invalid_argument
/// "<objective>: <parameter>: <reason>".
Bitmap bitmap_from_params(const std::string& objective, const nlohmann::json& checked);

/// Y from any parameters of a bitmap-drawing objective: the source keys are checked and read, the
/// others (the objective's own) are left to the objective. What the designer calls to load a
/// config; errors start with "bitmap: ".
Bitmap bitmap_from_any_params(const nlohmann::json& params);

}  // namespace dpg::objective
