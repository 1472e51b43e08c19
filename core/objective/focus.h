// SPDX-License-Identifier: MIT
#pragma once
/// @file The per-pixel focus of the LM-head bitmap objective ([ours], lmhead_bitmap.h): the "focus"
/// parameter, a list of [row, col, weight] triples, read and checked in one place for the objective
/// (core) and the objective designer (ui), so both give the same message. Plain C++; no torch, no
/// Qt.
#include <nlohmann/json.hpp>

#include <vector>

namespace dpg::objective {

/// w_p of pixel (row, col) in Φ = −Σ_p w_p softplus(…)_p / Σ_p w_p; every pixel not listed has w_p
/// = 1.
struct FocusPixel {
  int row = 0, col = 0;
  double weight = 1.0;
  bool operator==(const FocusPixel&) const = default;
};

/// Reads a "focus" value for a rows × cols image. Throws std::invalid_argument with the reason
/// alone
/// ("[6,0,2] is not a pixel of the 6x7 image"); callers name the objective and the parameter. A
/// pixel listed twice keeps its last weight.
std::vector<FocusPixel> focus_from_json(const nlohmann::json& focus, int rows, int cols);

/// The inverse of focus_from_json: [[row, col, weight], …] in the given order.
nlohmann::json focus_to_json(const std::vector<FocusPixel>& focus);

/// @p focus with pixel (row, col) given @p weight (appended when absent); a negative weight removes
/// the pixel.
std::vector<FocusPixel> with_focus(std::vector<FocusPixel> focus, int row, int col, double weight);

/// The weight of (row, col): 1 when the pixel is not listed (the unweighted mean's).
double focus_weight(const std::vector<FocusPixel>& focus, int row, int col);

/// Whether (row, col) is listed.
bool is_focused(const std::vector<FocusPixel>& focus, int row, int col);

}  // namespace dpg::objective
