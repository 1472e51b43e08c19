// SPDX-License-Identifier: MIT
#include "core/objective/focus.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dpg::objective {

std::vector<FocusPixel> focus_from_json(const nlohmann::json& focus, int rows, int cols) {
  if (focus.is_null()) return {};
  if (!focus.is_array()) throw std::invalid_argument("expected an array of [row, col, weight]");
  std::vector<FocusPixel> out;
  for (const auto& t : focus) {
    const std::string at = t.dump();
    if (!t.is_array() || t.size() != 3)
      throw std::invalid_argument("expected [row, col, weight], got " + at);
    for (const auto& v : t)
      if (!v.is_number())
        throw std::invalid_argument("expected [row, col, weight] numbers, got " + at);
    const double row = t[0], col = t[1], weight = t[2];
    if (row != std::floor(row) || col != std::floor(col) || row < 0 || col < 0 ||
        row >= double(rows) || col >= double(cols))
      throw std::invalid_argument(at + " is not a pixel of the " + std::to_string(rows) + "x" +
                                  std::to_string(cols) + " image");
    if (!(std::isfinite(weight) && weight >= 0))
      throw std::invalid_argument(at + ": the weight must be a finite number >= 0");
    out = with_focus(std::move(out), int(row), int(col), weight);
  }
  return out;
}

nlohmann::json focus_to_json(const std::vector<FocusPixel>& focus) {
  auto out = nlohmann::json::array();
  for (const auto& f : focus) out.push_back({f.row, f.col, f.weight});
  return out;
}

std::vector<FocusPixel> with_focus(std::vector<FocusPixel> focus, int row, int col, double weight) {
  const auto it = std::find_if(focus.begin(), focus.end(),
                               [&](const FocusPixel& f) { return f.row == row && f.col == col; });
  if (weight < 0) {
    if (it != focus.end()) focus.erase(it);
  } else if (it != focus.end()) {
    it->weight = weight;
  } else {
    focus.push_back({row, col, weight});
  }
  return focus;
}

double focus_weight(const std::vector<FocusPixel>& focus, int row, int col) {
  for (const auto& f : focus)
    if (f.row == row && f.col == col) return f.weight;
  return 1.0;
}

bool is_focused(const std::vector<FocusPixel>& focus, int row, int col) {
  return std::any_of(focus.begin(), focus.end(),
                     [&](const FocusPixel& f) { return f.row == row && f.col == col; });
}

}  // namespace dpg::objective
