// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_bitmap/qr_damage.h"

#include <array>
#include <set>

namespace dpg::objective {
namespace {

constexpr int kSide = 21;

enum class Part { data, finder, timing, format, dark_module };

/// What each module of a version-1 code is (ISO/IEC 18004 §7.3, §7.9): three finder patterns with
/// their separators in the corners, the timing lines on row and column 6, format information along
/// row and column 8 beside them, one dark module at (13, 8), and data everywhere else.
Part part_of(int r, int c) {
  const auto in_corner = [](int v, bool far) { return far ? v >= kSide - 8 : v < 8; };
  if ((in_corner(r, false) && in_corner(c, false)) || (in_corner(r, false) && in_corner(c, true)) ||
      (in_corner(r, true) && in_corner(c, false)))
    return Part::finder;
  if (r == kSide - 8 && c == 8) return Part::dark_module;
  if (r == 6 || c == 6)
    return Part::timing;  // before the format strips, which they cross at (6, 8) and (8, 6)
  if ((r == 8 && (c <= 8 || c >= kSide - 8)) || (c == 8 && (r <= 8 || r >= kSide - 7)))
    return Part::format;
  return Part::data;
}

std::array<std::array<int, kSide>, kSide> codeword_map() {
  std::array<std::array<int, kSide>, kSide> cw{};
  for (auto& row : cw) row.fill(-1);
  int bit = 0;
  bool up = true;
  for (int x = kSide - 1; x > 0; x -= 2) {
    if (x == 6) --x;
    for (int i = 0; i < kSide; ++i) {
      const int y = up ? kSide - 1 - i : i;
      for (int xx : {x, x - 1})
        if (part_of(y, xx) == Part::data) cw[size_t(y)][size_t(xx)] = bit++ / 8;
    }
    up = !up;
  }
  return cw;
}

}  // namespace

int qr_codeword_of(int row, int col) {
  static const auto cw = codeword_map();
  if (row < 0 || row >= kSide || col < 0 || col >= kSide) return -1;
  return cw[size_t(row)][size_t(col)];
}

std::optional<QrDamage> qr_damage(const Bitmap& target, const Bitmap& drawn) {
  if (target.rows() != kSide || target.cols() != kSide || drawn.rows() != kSide ||
      drawn.cols() != kSide)
    return std::nullopt;
  QrDamage d;
  // The two EC-level bits lead the format information at (8, 0) and (8, 1), masked by 10: 11 L, 10
  // M, 01 Q, 00 H.
  static constexpr std::array<char, 4> kLevel = {'H', 'Q', 'M', 'L'};
  static constexpr std::array<int, 4> kRepairs = {8, 6, 4, 2};
  const int level = (target.dark(8, 0) ? 2 : 0) + (target.dark(8, 1) ? 1 : 0);
  d.ec_level = kLevel[size_t(level)];
  d.repairable = kRepairs[size_t(level)];
  std::set<int> wrong_codewords;
  for (int r = 0; r < kSide; ++r)
    for (int c = 0; c < kSide; ++c) {
      if (target.dark(r, c) == drawn.dark(r, c)) continue;
      switch (part_of(r, c)) {
        case Part::data:
          wrong_codewords.insert(qr_codeword_of(r, c));
          break;
        case Part::finder:
          ++d.finder_wrong;
          break;
        case Part::timing:
          ++d.timing_wrong;
          break;
        case Part::format:
          ++d.format_wrong;
          break;
        case Part::dark_module:
          break;
      }
    }
  d.codewords_wrong = int(wrong_codewords.size());
  return d;
}

std::string describe(const QrDamage& d) {
  return std::to_string(d.codewords_wrong) + " of " + std::to_string(QrDamage::kCodewords) +
         " codewords wrong (level " + d.ec_level + " repairs " + std::to_string(d.repairable) +
         "), " + std::to_string(d.finder_wrong) + " of " + std::to_string(QrDamage::kFinder) +
         " finder modules wrong";
}

}  // namespace dpg::objective
