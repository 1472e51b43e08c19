// SPDX-License-Identifier: MIT
#include "core/objective/bitmap_params.h"

#include "core/resources/resources.h"

#include <filesystem>
#include <stdexcept>

namespace dpg::objective {

const std::vector<ParamSpec>& bitmap_source_parameters() {
  static const std::vector<ParamSpec> specs = {
      {"source", "string", "67", "where Y comes from", {"67", "qr", "bitmap", "png"}},
      {"text", "string", "", "qr: the text to encode"},
      {"ec_level", "string", "L", "qr: error correction level", {"L", "M", "Q", "H"}},
      {"version", "int", 1, "qr: version (1 = 21x21; 0 = the smallest that fits)"},
      {"bits", "string[]", nlohmann::json::array(),
       "bitmap: one string a row, '#' dark and '.' light"},
      {"rows", "int", 0, "bitmap: expected rows; png: resample to this many rows (0 = as is)"},
      {"cols", "int", 0,
       "bitmap: expected columns; png: resample to this many columns (0 = as is)"},
      {"png", "string", "", "png: path of the image (dark pixels = +1)"},
  };
  return specs;
}

Bitmap bitmap_from_params(const std::string& objective, const nlohmann::json& p) {
  const std::string source = p["source"];
  const int rows = p["rows"], cols = p["cols"];
  if (rows < 0) param_error(objective, "rows", "must not be negative");
  if (cols < 0) param_error(objective, "cols", "must not be negative");
  Bitmap y;
  if (source == "67") {
    y = sixty_seven();
  } else if (source == "qr") {
    const std::string text = p["text"];
    if (text.empty()) param_error(objective, "text", "source qr needs the text to encode");
    const std::string level = p["ec_level"];
    try {
      y = make_qr(text, {level[0], p["version"].get<int>()});
    } catch (const std::invalid_argument& e) {
      param_error(objective, "text", e.what());
    }
  } else if (source == "bitmap") {
    if (p["bits"].empty())
      param_error(objective, "bits", "source bitmap needs the rows, e.g. [\"#.#\", \".#.\"]");
    try {
      y = Bitmap::from_strings(p["bits"].get<std::vector<std::string>>());
    } catch (const std::invalid_argument& e) {
      param_error(objective, "bits", e.what());
    }
    if (rows > 0 && rows != y.rows())
      param_error(
          objective, "rows",
          "is " + std::to_string(rows) + " but bits has " + std::to_string(y.rows()) + " rows");
    if (cols > 0 && cols != y.cols())
      param_error(
          objective, "cols",
          "is " + std::to_string(cols) + " but bits has " + std::to_string(y.cols()) + " columns");
  } else {  // png
    std::string path = p["png"];
    if (path.empty()) param_error(objective, "png", "source png needs the path of the image");
    if (!std::filesystem::exists(path))
      if (auto found = resources::find_resource(path)) path = *found;
    try {
      y = read_png(path);
    } catch (const std::runtime_error& e) {
      param_error(objective, "png", e.what());
    }
    if (rows > 0 || cols > 0)
      y = y.resampled(rows > 0 ? rows : y.rows(), cols > 0 ? cols : y.cols());
  }
  if (y.dark_count() == 0 || y.dark_count() == y.rows() * y.cols())
    param_error(objective, "source", "the target image is all one colour");
  return y;
}

Bitmap bitmap_from_any_params(const nlohmann::json& params) {
  nlohmann::json source = nlohmann::json::object();
  if (params.is_object())
    for (const auto& s : bitmap_source_parameters())
      if (params.contains(s.name)) source[s.name] = params[s.name];
  return bitmap_from_params("bitmap", checked_params("bitmap", bitmap_source_parameters(), source));
}

}  // namespace dpg::objective
