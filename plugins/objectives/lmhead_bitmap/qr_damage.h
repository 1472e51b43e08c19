// SPDX-License-Identifier: MIT
#pragma once
/// @file How far a drawn version-1 QR code is from scanning, counted by the parts a scan needs
/// (docs/results.md (c)): zbar locates the code by its finder patterns, reads the EC level and mask
/// from the format information, ignores the timing lines, and Reed–Solomon repairs a fixed number
/// of whole codewords (version 1: 2, 4, 6 or 8 of 26 at level L, M, Q or H) however badly each is
/// drawn. "Does not scan" alone does not say whether a sign image is one codeword or twenty away.
/// Plain C++; no Qt, no zbar.
#include "core/objective/bitmap.h"

#include <optional>
#include <string>

namespace dpg::objective {

/// The wrong modules of a drawn version-1 code, by part.
struct QrDamage {
  char ec_level = 'L';      ///< read from the target's format information
  int repairable = 0;       ///< codewords that level repairs: L 2, M 4, Q 6, H 8
  int codewords_wrong = 0;  ///< of the 26 codewords, those with at least one wrong module
  int finder_wrong = 0;     ///< of the 192 finder-pattern and separator modules
  int format_wrong = 0;     ///< of the 30 format-information modules (two copies)
  int timing_wrong = 0;     ///< of the 10 timing modules (zbar does not need them)

  static constexpr int kCodewords = 26, kFinder = 192, kFormat = 30, kTiming = 10;
};

/// The codeword (0..25) that module (@p row, @p col) of a version-1 code carries a bit of, or −1
/// for the function modules: bits are placed in two-module columns from the right edge, upwards
/// then downwards, skipping the timing column 6, eight bits a codeword.
int qr_codeword_of(int row, int col);

/// The damage of @p drawn against the version-1 code @p target (both 21 × 21; dark = the module's
/// dark colour), or nullopt when either is not 21 × 21.
std::optional<QrDamage> qr_damage(const Bitmap& target, const Bitmap& drawn);

/// For people: "21 of 26 codewords wrong (level H repairs 8), 27 of 192 finder modules wrong".
std::string describe(const QrDamage& damage);

}  // namespace dpg::objective
