// SPDX-License-Identifier: MIT
#include "ui/image_util.h"

#include <algorithm>
#include <cmath>

namespace dpg::ui {

QImage sign_image(const engine::Image& image, int scale) {
  if (image.empty()) return {};
  scale = std::max(1, scale);
  QImage out(int(image.cols) * scale, int(image.rows) * scale, QImage::Format_RGB32);
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x)
      out.setPixel(x, y, image.at(y / scale, x / scale) > 0 ? qRgb(20, 20, 20) : qRgb(250, 250, 250));
  return out;
}

QImage diverging_image(const engine::Image& image, int scale) {
  if (image.empty()) return {};
  scale = std::max(1, scale);
  float m = 1e-12f;
  for (float v : image.data)
    if (std::isfinite(v)) m = std::max(m, std::abs(v));
  QImage out(int(image.cols) * scale, int(image.rows) * scale, QImage::Format_RGB32);
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x) {
      const float t = std::clamp(image.at(y / scale, x / scale) / m, -1.0f, 1.0f);
      const int a = int(255 * (1 - std::abs(t)));
      out.setPixel(x, y, t >= 0 ? qRgb(255, a, a) : qRgb(a, a, 255));
    }
  return out;
}

}  // namespace dpg::ui
