// SPDX-License-Identifier: MIT
// Fuzz target: the bitmap imports of core/objective/bitmap.h. An input that starts with the PNG
// signature is a PNG file (read_png_bytes); any other is text art, one row a line
// (Bitmap::from_strings). A bitmap that loads is resampled and framed as the objective does.
// Refusals must be std::runtime_error (PNG) or std::invalid_argument (text art).
#include "core/objective/bitmap.h"
#include "fuzz/fuzz_target.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace {

// Text art may hold only the documented pixel characters.
void check_pixels(const std::vector<std::string>& lines) {
  for (const auto& line : lines)
    for (const char ch : line)
      if (std::string_view("#Xx1+. 0_-").find(ch) == std::string_view::npos) {
        std::fprintf(stderr, "text art with the character %d was accepted\n", int(uint8_t(ch)));
        std::abort();
      }
}

void exercise(const dpg::objective::Bitmap& b) {
  (void)b.dark_count();
  (void)b.to_image();
  (void)b.resampled(21, 21);
  (void)b.with_border(2).to_strings();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kSignature("\x89PNG\r\n\x1a\n", 8);
  const std::string input = dpg::fuzz::as_text(data, size);
  try {
    if (input.rfind(kSignature, 0) == 0) {
      exercise(dpg::objective::read_png_bytes(input, "input.png"));
      return 0;
    }
    std::vector<std::string> lines;
    std::istringstream in(input);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const auto bitmap = dpg::objective::Bitmap::from_strings(lines);
    check_pixels(lines);
    exercise(bitmap);
  } catch (const std::invalid_argument& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::runtime_error& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::exception& e) {
    dpg::fuzz::undocumented(e);
  }
  return 0;
}
