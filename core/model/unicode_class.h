// SPDX-License-Identifier: MIT
#pragma once
/// @file Unicode character classes of byte-level BPE pre-tokenisation.
///
/// The tables in unicode_class.cpp are generated from the pinned HF `tokenizers` wheel by
/// tests/reference/gen_unicode_class.py, so they agree with HF on every code point (including
/// its Unicode version, which is newer than Python's unicodedata).
#include <cstdint>

namespace dpg::model {

/// What the GPT-2 pre-tokenisation regex sees: \p{L}, \p{N}, \s, or anything else.
enum class CharClass : uint8_t { Other, Letter, Number, Space };

/// Class of a code point (HF `tokenizers` / Oniguruma semantics).
CharClass char_class(char32_t cp);
/// True where the Digits pre-tokenizer splits (Rust char::is_numeric).
bool is_numeric(char32_t cp);

}  // namespace dpg::model
