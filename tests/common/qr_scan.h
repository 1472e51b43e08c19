// SPDX-License-Identifier: MIT
#pragma once
/// @file zbar_decode: what zbar reads from a bitmap, for the tests that check a QR code really scans (the
/// plugins' QR objective and the designer's QR source). The test links zbar (pkg-config zbar).
#include "core/objective/bitmap.h"

#include <zbar.h>

#include <string>
#include <vector>

namespace dpg::test {

/// Decodes every QR code zbar finds in @p b (drawn with a 4-module quiet zone, 4 pixels a module).
inline std::vector<std::string> zbar_decode(const objective::Bitmap& b) {
  using namespace zbar;  // zbar.h puts its C API in namespace zbar when compiled as C++
  const objective::Bitmap framed = b.with_border(4);
  constexpr int kScale = 4;
  const int w = framed.cols() * kScale, h = framed.rows() * kScale;
  std::vector<unsigned char> grey(size_t(w) * size_t(h));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) grey[size_t(y) * w + x] = framed.dark(y / kScale, x / kScale) ? 0 : 255;
  zbar_image_scanner_t* scanner = zbar_image_scanner_create();
  zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
  zbar_image_t* image = zbar_image_create();
  zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(image, unsigned(w), unsigned(h));
  zbar_image_set_data(image, grey.data(), grey.size(), nullptr);
  zbar_scan_image(scanner, image);
  std::vector<std::string> out;
  for (const zbar_symbol_t* s = zbar_image_first_symbol(image); s; s = zbar_symbol_next(s))
    if (zbar_symbol_get_type(s) == ZBAR_QRCODE) out.emplace_back(zbar_symbol_get_data(s));
  zbar_image_destroy(image);
  zbar_image_scanner_destroy(scanner);
  return out;
}

}  // namespace dpg::test
