// SPDX-License-Identifier: MIT
#include "core/objective/bitmap.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace dpg::objective {

Bitmap::Bitmap(int rows, int cols, bool dark) : rows_(rows), cols_(cols) {
  if (rows < 0 || cols < 0) throw std::invalid_argument("bitmap size must not be negative");
  bits_.assign(size_t(rows) * size_t(cols), dark ? 1 : 0);
}

int Bitmap::dark_count() const {
  int n = 0;
  for (auto b : bits_) n += b;
  return n;
}

Bitmap Bitmap::from_strings(const std::vector<std::string>& lines) {
  if (lines.empty()) throw std::invalid_argument("bitmap: no rows");
  const int cols = int(lines.front().size());
  if (cols == 0) throw std::invalid_argument("bitmap: row 0 is empty");
  Bitmap b(int(lines.size()), cols);
  for (int r = 0; r < b.rows(); ++r) {
    const auto& line = lines[size_t(r)];
    if (int(line.size()) != cols)
      throw std::invalid_argument("bitmap: row " + std::to_string(r) + " has " +
                                  std::to_string(line.size()) + " pixels, row 0 has " +
                                  std::to_string(cols));
    for (int c = 0; c < cols; ++c) {
      const char ch = line[size_t(c)];
      // strchr also finds the terminating NUL, so a NUL byte is checked first.
      if (ch != '\0' && std::strchr("#Xx1+", ch)) {
        b.set(r, c, true);
      } else if (ch == '\0' || !std::strchr(". 0_-", ch)) {
        const auto byte = static_cast<unsigned char>(ch);
        const std::string shown = byte >= 0x20 && byte < 0x7F ? "'" + std::string(1, ch) + "'"
                                                              : "byte " + std::to_string(byte);
        throw std::invalid_argument("bitmap: row " + std::to_string(r) + " column " +
                                    std::to_string(c) + " is " + shown +
                                    "; use '#' for dark and '.' for light");
      }
    }
  }
  return b;
}

std::vector<std::string> Bitmap::to_strings(char dark_char, char light_char) const {
  std::vector<std::string> out(size_t(rows_), std::string(size_t(cols_), light_char));
  for (int r = 0; r < rows_; ++r)
    for (int c = 0; c < cols_; ++c)
      if (dark(r, c)) out[size_t(r)][size_t(c)] = dark_char;
  return out;
}

engine::Image Bitmap::to_image() const {
  engine::Image img;
  img.rows = rows_;
  img.cols = cols_;
  img.data.reserve(bits_.size());
  for (auto b : bits_) img.data.push_back(b ? 1.0f : -1.0f);
  return img;
}

Bitmap Bitmap::from_image(const engine::Image& image) {
  Bitmap b(int(image.rows), int(image.cols));
  for (size_t i = 0; i < b.bits_.size(); ++i) b.bits_[i] = image.data.at(i) > 0.0f ? 1 : 0;
  return b;
}

Bitmap Bitmap::resampled(int rows, int cols) const {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("bitmap: resample size must be positive");
  if (empty()) throw std::invalid_argument("bitmap: cannot resample an empty bitmap");
  Bitmap out(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      out.set(r, c,
              dark(int((2 * int64_t(r) + 1) * rows_ / (2 * int64_t(rows))),
                   int((2 * int64_t(c) + 1) * cols_ / (2 * int64_t(cols)))));
  return out;
}

Bitmap Bitmap::with_border(int width) const {
  if (width < 0) throw std::invalid_argument("bitmap: border must not be negative");
  Bitmap out(rows_ + 2 * width, cols_ + 2 * width);
  for (int r = 0; r < rows_; ++r)
    for (int c = 0; c < cols_; ++c) out.set(r + width, c + width, dark(r, c));
  return out;
}

Bitmap sixty_seven() {
  return Bitmap::from_strings({
      "####...",
      "...###.",
      ".#####.",
      "...###.",
      ".#.###.",
      "...####",
  });
}

Bitmap make_qr(const std::string& text, const QrOptions& options) {
  if (text.empty()) throw std::invalid_argument("QR: the text is empty");
  if (text.find('\0') != std::string::npos)
    throw std::invalid_argument("QR: the text contains a NUL byte");
  if (options.version < 0 || options.version > 40)
    throw std::invalid_argument("QR: version must be 0 (auto) or 1..40, got " +
                                std::to_string(options.version));
  QRecLevel level;
  switch (options.ec_level) {
    case 'L':
      level = QR_ECLEVEL_L;
      break;
    case 'M':
      level = QR_ECLEVEL_M;
      break;
    case 'Q':
      level = QR_ECLEVEL_Q;
      break;
    case 'H':
      level = QR_ECLEVEL_H;
      break;
    default:
      throw std::invalid_argument(std::string("QR: EC level must be L, M, Q or H, got '") +
                                  options.ec_level + "'");
  }
  errno = 0;
  QRcode* qr = QRcode_encodeString(text.c_str(), options.version, level, QR_MODE_8, 1);
  if (!qr)
    throw std::invalid_argument("QR: cannot encode " + std::to_string(text.size()) + " bytes (" +
                                std::strerror(errno) + ")");
  const int got = qr->version;
  const int width = qr->width;
  Bitmap b(width, width);
  for (int r = 0; r < width; ++r)
    for (int c = 0; c < width; ++c) b.set(r, c, (qr->data[r * width + c] & 1) != 0);
  QRcode_free(qr);
  if (options.version > 0 && got != options.version)
    throw std::invalid_argument(
        "QR: " + std::to_string(text.size()) + " bytes of text do not fit a version-" +
        std::to_string(options.version) + " code (" + std::to_string(17 + 4 * options.version) +
        "×" + std::to_string(17 + 4 * options.version) + ") at EC level " + options.ec_level +
        "; it needs version " + std::to_string(got) +
        ". Shorten the text (upper-case letters and digits pack denser), lower the EC level, or "
        "ask for that version");
  return b;
}

namespace {

// Decodes the image @p image has begun to read (its header is known) into a Bitmap; frees it.
Bitmap finish_png(png_image& image, const std::string& path, int threshold) {
  constexpr png_uint_32 kMaxSide = 8192;
  if (image.width == 0 || image.height == 0 || image.width > kMaxSide || image.height > kMaxSide) {
    png_image_free(&image);
    throw std::runtime_error(path + ": PNG is " + std::to_string(image.width) + "×" +
                             std::to_string(image.height) + " pixels; sides must be 1..8192");
  }
  image.format = PNG_FORMAT_GA;
  std::vector<png_byte> buffer(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, buffer.data(), 0, nullptr))
    throw std::runtime_error(path + ": cannot decode PNG (" + image.message + ")");
  Bitmap b(int(image.height), int(image.width));
  for (int r = 0; r < b.rows(); ++r)
    for (int c = 0; c < b.cols(); ++c) {
      const size_t i = 2 * (size_t(r) * image.width + size_t(c));
      const int grey = buffer[i], alpha = buffer[i + 1];
      const int on_white = (grey * alpha + 255 * (255 - alpha)) / 255;
      b.set(r, c, on_white < threshold);
    }
  return b;
}

}  // namespace

Bitmap read_png(const std::string& path, int threshold) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw std::runtime_error(path + ": cannot read as PNG (" + image.message + ")");
  return finish_png(image, path, threshold);
}

Bitmap read_png_bytes(const std::string& bytes, const std::string& name, int threshold) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw std::runtime_error(name + ": cannot read as PNG (" + image.message + ")");
  return finish_png(image, name, threshold);
}

void write_png(const Bitmap& bitmap, const std::string& path, int scale, int border) {
  if (bitmap.empty()) throw std::runtime_error(path + ": cannot write an empty bitmap");
  if (scale < 1 || border < 0) throw std::runtime_error(path + ": scale must be ≥ 1, border ≥ 0");
  const Bitmap framed = bitmap.with_border(border);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(framed.cols() * scale);
  image.height = png_uint_32(framed.rows() * scale);
  image.format = PNG_FORMAT_GRAY;
  std::vector<png_byte> pixels(size_t(image.width) * image.height);
  for (png_uint_32 y = 0; y < image.height; ++y)
    for (png_uint_32 x = 0; x < image.width; ++x)
      pixels[size_t(y) * image.width + x] = framed.dark(int(y) / scale, int(x) / scale) ? 0 : 255;
  if (!png_image_write_to_file(&image, path.c_str(), 0, pixels.data(), 0, nullptr))
    throw std::runtime_error(path + ": cannot write PNG (" + image.message + ")");
}

}  // namespace dpg::objective
