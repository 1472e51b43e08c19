// SPDX-License-Identifier: MIT
#pragma once
/// @file Bitmap: the drawn target image Y of the LM-head bitmap objective, shared by the CLI, the
/// GUI's designer and the plugin. QR codes (libqrencode), the paper's "67", text art and PNG files
/// all become a Bitmap. Plain C++; no Qt.
///
/// Convention: dark = +1, light = −1 (docs/method.md §5.1). Row 0 is the top row; in the LM-head
/// patch, row r is hidden dimension dim_offset + r and column c is token id token_offset + c.
#include "core/dpg/objective_view.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::objective {

/// A rows × cols black-and-white image. Row-major; value semantic.
class Bitmap {
 public:
  Bitmap() = default;
  /// All pixels light (or all dark).
  Bitmap(int rows, int cols, bool dark = false);

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  bool empty() const { return rows_ == 0 || cols_ == 0; }
  bool dark(int r, int c) const { return bits_[size_t(r * cols_ + c)] != 0; }
  void set(int r, int c, bool dark) { bits_[size_t(r * cols_ + c)] = dark ? 1 : 0; }
  /// Number of dark pixels.
  int dark_count() const;
  bool operator==(const Bitmap& other) const = default;

  /// Parses text art, one string a row: '#', 'X', 'x', '1' or '+' are dark; '.', ' ', '0', '_'
  /// or '-' are light. Throws std::invalid_argument on ragged rows or other characters.
  static Bitmap from_strings(const std::vector<std::string>& lines);
  /// The inverse of from_strings().
  std::vector<std::string> to_strings(char dark = '#', char light = '.') const;

  /// Y as an image of +1 (dark) and −1 (light).
  engine::Image to_image() const;
  /// Pixels > 0 are dark.
  static Bitmap from_image(const engine::Image& image);

  /// Nearest-neighbour resampling to @p rows × @p cols (sampling each target pixel's centre), e.g.
  /// to read a QR code scanned at 10 pixels a module back as 21 × 21.
  Bitmap resampled(int rows, int cols) const;
  /// A copy with a light border of @p width pixels on every side (a QR code's quiet zone).
  Bitmap with_border(int width) const;

 private:
  int rows_ = 0;
  int cols_ = 0;
  std::vector<uint8_t> bits_;
};

/// The paper's 6 × 7 "67" (docs/method.md §5.1).
Bitmap sixty_seven();

/// QR code options. The result has no quiet zone.
struct QrOptions {
  char ec_level = 'L';  ///< error correction: L, M, Q or H
  int version = 1;      ///< 1..40 (version v is 17 + 4v modules a side); 0 = the smallest that fits
};
/// Encodes @p text with libqrencode. Throws std::invalid_argument when the text is empty or does
/// not fit the requested version at that EC level (the message says how to fix it).
Bitmap make_qr(const std::string& text, const QrOptions& options = {});

/// Reads a PNG (any colour type; alpha is composited on white); pixels darker than @p threshold
/// (0..255, on sRGB grey) are dark. Throws std::runtime_error naming the file and the reason.
Bitmap read_png(const std::string& path, int threshold = 128);
/// The same from a PNG file's @p bytes; @p name stands for the file in errors.
Bitmap read_png_bytes(const std::string& bytes, const std::string& name, int threshold = 128);
/// Writes black-on-white, @p scale pixels a module, with a light border of @p border modules.
/// Throws std::runtime_error naming the file and the reason.
void write_png(const Bitmap& bitmap, const std::string& path, int scale = 1, int border = 0);

}  // namespace dpg::objective
