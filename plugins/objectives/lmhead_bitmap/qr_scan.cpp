// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_bitmap/qr_scan.h"

#include <zbar.h>

#include <memory>

namespace dpg::objective {

std::vector<std::string> scan_qr(const Bitmap& bitmap) {
  using namespace zbar;  // zbar.h puts its C API in namespace zbar when compiled as C++
  if (bitmap.empty()) return {};
  const Bitmap framed = bitmap.with_border(4);
  constexpr int kScale = 4;
  const int w = framed.cols() * kScale, h = framed.rows() * kScale;
  std::vector<unsigned char> grey(size_t(w) * size_t(h));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      grey[size_t(y) * size_t(w) + size_t(x)] = framed.dark(y / kScale, x / kScale) ? 0 : 255;
  std::unique_ptr<zbar_image_scanner_t, decltype(&zbar_image_scanner_destroy)> scanner(
      zbar_image_scanner_create(), &zbar_image_scanner_destroy);
  std::unique_ptr<zbar_image_t, decltype(&zbar_image_destroy)> image(zbar_image_create(),
                                                                     &zbar_image_destroy);
  zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
  zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(image.get(), unsigned(w), unsigned(h));
  zbar_image_set_data(image.get(), grey.data(), grey.size(), nullptr);  // zbar borrows the pixels
  zbar_scan_image(scanner.get(), image.get());
  std::vector<std::string> out;
  for (const zbar_symbol_t* s = zbar_image_first_symbol(image.get()); s; s = zbar_symbol_next(s))
    if (zbar_symbol_get_type(s) == ZBAR_QRCODE) out.emplace_back(zbar_symbol_get_data(s));
  return out;
}

std::optional<std::string> scan_qr(const engine::Image& image) {
  if (image.empty()) return std::nullopt;
  auto found = scan_qr(Bitmap::from_image(image));
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace dpg::objective
