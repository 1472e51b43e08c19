// SPDX-License-Identifier: MIT
#include "ui/image_util.h"

#include "core/objective/bitmap_params.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace dpg::ui {

engine::Image bitmap_target(const nlohmann::json& params) {
  if (!params.is_object()) return {};
  try {
    return objective::bitmap_from_any_params(params).to_image();
  } catch (const std::exception&) {
    return {};
  }
}

QImage sign_image(const engine::Image& image, int scale) {
  if (image.empty()) return {};
  scale = std::max(1, scale);
  QImage out(int(image.cols) * scale, int(image.rows) * scale, QImage::Format_RGB32);
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x)
      out.setPixel(x, y,
                   image.at(y / scale, x / scale) > 0 ? qRgb(20, 20, 20) : qRgb(250, 250, 250));
  return out;
}

bool sign_comparable(const engine::Image& sign, const engine::Image& target) {
  return !sign.empty() && !target.empty() && sign.rows == target.rows && sign.cols == target.cols;
}

std::vector<std::pair<int, int>> sign_mismatches(const engine::Image& sign,
                                                 const engine::Image& target) {
  std::vector<std::pair<int, int>> wrong;
  if (!sign_comparable(sign, target)) return wrong;
  for (int r = 0; r < int(sign.rows); ++r)
    for (int c = 0; c < int(sign.cols); ++c)
      if (!(sign.at(r, c) * target.at(r, c) > 0)) wrong.emplace_back(r, c);
  return wrong;
}

QImage sign_image_marked(const engine::Image& sign, const std::vector<std::pair<int, int>>& wrong,
                         int scale) {
  QImage out = sign_image(sign, scale);
  if (out.isNull() || wrong.empty()) return out;
  QPainter p(&out);
  const int pen = std::max(1, scale / 8);
  p.setPen(QPen(QColor(220, 30, 45), pen));
  p.setBrush(Qt::NoBrush);
  const int inset = pen / 2 + std::max(1, scale / 10);
  for (auto [r, c] : wrong)
    p.drawRect(
        QRect(c * scale, r * scale, scale, scale).adjusted(inset, inset, -inset - 1, -inset - 1));
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
