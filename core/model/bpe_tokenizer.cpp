// SPDX-License-Identifier: MIT
#include "core/model/bpe_tokenizer.h"

#include "core/model/errors.h"
#include "core/model/unicode_class.h"

#include <algorithm>
#include <array>
#include <queue>

namespace dpg::model {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;  // a byte that is not valid UTF-8: class Other

// GPT-2's byte alphabet: printable Latin-1 bytes stand for themselves, the other 68 bytes for
// U+0100.. in byte order, so that every byte has a visible, non-space character.
const std::array<char32_t, 256>& byte_to_char() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      t[size_t(b)] = printable ? char32_t(b) : next++;
    }
    return t;
  }();
  return table;
}

void append_utf8(std::string& s, char32_t c) {
  if (c < 0x80) {
    s += char(c);
  } else if (c < 0x800) {
    s += char(0xC0 | (c >> 6));
    s += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += char(0xE0 | (c >> 12));
    s += char(0x80 | ((c >> 6) & 0x3F));
    s += char(0x80 | (c & 0x3F));
  } else {
    s += char(0xF0 | (c >> 18));
    s += char(0x80 | ((c >> 12) & 0x3F));
    s += char(0x80 | ((c >> 6) & 0x3F));
    s += char(0x80 | (c & 0x3F));
  }
}

// One code point of the input with its byte span; invalid UTF-8 bytes become kInvalid, 1 byte.
struct Cp {
  char32_t c;
  uint32_t off;
  uint32_t len;
  CharClass cls;
};

// Strict UTF-8 decoding of s[begin, end): overlong forms, surrogates and values above U+10FFFF
// are invalid, exactly like Rust's str (so such bytes never reach a valid code point).
std::vector<Cp> decode_utf8(const std::string& s, size_t begin, size_t end) {
  std::vector<Cp> out;
  out.reserve(end - begin);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = begin;
  while (i < end) {
    const unsigned char b = p[i];
    char32_t c = kInvalid;
    uint32_t len = 1;
    if (b < 0x80) {
      c = b;
    } else {
      const uint32_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
      if (n && i + n <= end && n <= 4 && b <= 0xF4) {
        char32_t v = b & (0x7F >> n);
        bool ok = true;
        for (uint32_t k = 1; k < n; ++k) {
          if ((p[i + k] & 0xC0) != 0x80) ok = false;
          v = (v << 6) | (p[i + k] & 0x3F);
        }
        const char32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (ok && v >= min && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) {
          c = v;
          len = n;
        }
      }
    }
    out.push_back({c, uint32_t(i), len, c == kInvalid ? CharClass::Other : char_class(c)});
    i += len;
  }
  return out;
}

// The GPT-2 regex over cps[b, e); appends [first, last) code point index ranges.
void split_gpt2(const std::vector<Cp>& cps, size_t b, size_t e,
                std::vector<std::pair<size_t, size_t>>& out) {
  size_t i = b;
  auto run_end = [&](size_t k, CharClass cls) {
    while (k < e && cps[k].cls == cls) ++k;
    return k;
  };
  while (i < e) {
    const char32_t c = cps[i].c;
    // 's|'t|'re|'ve|'m|'ll|'d
    if (c == U'\'' && i + 1 < e) {
      const char32_t n1 = cps[i + 1].c;
      if (n1 == U's' || n1 == U't' || n1 == U'm' || n1 == U'd') {
        out.emplace_back(i, i + 2);
        i += 2;
        continue;
      }
      if (i + 2 < e) {
        const char32_t n2 = cps[i + 2].c;
        if ((n1 == U'r' && n2 == U'e') || (n1 == U'v' && n2 == U'e') ||
            (n1 == U'l' && n2 == U'l')) {
          out.emplace_back(i, i + 3);
          i += 3;
          continue;
        }
      }
    }
    // ' ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+': an optional ASCII space, then a run of one class.
    const size_t j = (c == U' ' && i + 1 < e && cps[i + 1].cls != CharClass::Space) ? i + 1 : i;
    if (cps[j].cls != CharClass::Space) {
      const size_t k = run_end(j, cps[j].cls);
      out.emplace_back(i, k);
      i = k;
      continue;
    }
    // '\s+(?!\S)|\s+': a whitespace run, less its last character when a non-space follows.
    const size_t k = run_end(i, CharClass::Space);
    const size_t stop = (k < e && k - i >= 2) ? k - 1 : k;
    out.emplace_back(i, stop);
    i = stop;
  }
}

}  // namespace

BpeTokenizer::BpeTokenizer(Spec spec, const std::string& source)
    : tokens_(std::move(spec.tokens)),
      added_(std::move(spec.added)),
      pre_(spec.pre),
      ignore_merges_(spec.ignore_merges),
      bos_(spec.bos_id),
      eos_(spec.eos_id),
      pad_(spec.pad_id),
      unk_(spec.unk_id) {
  check_ids(source);
  const auto char_to_byte = index_tokens();
  index_merges(spec.merges, source);
  index_added_and_bytes(char_to_byte);
  std::stable_sort(added_.begin(), added_.end(), [](const Spec::Added& a, const Spec::Added& b) {
    return a.content.size() > b.content.size();
  });
}

// Added tokens and the special ids lie inside the vocabulary.
void BpeTokenizer::check_ids(const std::string& source) const {
  const int64_t n = int64_t(tokens_.size());
  for (const auto& a : added_) {
    if (a.id < 0 || a.id >= n) {
      throw FormatError(source, -1,
                        "added token '" + a.content + "' has id " + std::to_string(a.id) +
                            " outside the vocabulary of " + std::to_string(n));
    }
    if (a.content.empty())
      throw FormatError(source, -1, "added token " + std::to_string(a.id) + " is empty");
  }
  for (auto [name, id] : {std::pair{"bos", bos_}, {"eos", eos_}, {"pad", pad_}, {"unk", unk_}}) {
    if (id < -1 || id >= n) {
      throw FormatError(
          source, -1,
          std::string(name) + " id " + std::to_string(id) + " is outside the vocabulary");
    }
  }
}

// token -> id, and each byte's token id; returns the byte alphabet's character -> byte map.
std::unordered_map<char32_t, uint8_t> BpeTokenizer::index_tokens() {
  const int64_t n = int64_t(tokens_.size());
  token_ids_.reserve(tokens_.size());
  for (int64_t id = 0; id < n; ++id) {
    if (!tokens_[size_t(id)].empty()) token_ids_.emplace(tokens_[size_t(id)], int32_t(id));
  }
  const auto& b2c = byte_to_char();
  std::unordered_map<char32_t, uint8_t> c2b;
  for (int b = 0; b < 256; ++b) {
    c2b[b2c[size_t(b)]] = uint8_t(b);
    std::string ch;
    append_utf8(ch, b2c[size_t(b)]);
    auto it = token_ids_.find(ch);
    byte_ids_[b] = it == token_ids_.end() ? -1 : it->second;
  }
  return c2b;
}

// (left id, right id) -> (rank, merged id); every merge must use and make vocabulary tokens.
void BpeTokenizer::index_merges(const std::vector<std::pair<std::string, std::string>>& merges,
                                const std::string& source) {
  merges_.reserve(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto& [l, rt] = merges[r];
    auto li = token_ids_.find(l), ri = token_ids_.find(rt), mi = token_ids_.find(l + rt);
    if (li == token_ids_.end() || ri == token_ids_.end() || mi == token_ids_.end()) {
      throw FormatError(source, -1,
                        "merge #" + std::to_string(r) + " '" + l + " " + rt +
                            "' uses or makes a token missing from the vocabulary");
    }
    const uint64_t key = (uint64_t(uint32_t(li->second)) << 32) | uint32_t(ri->second);
    merges_.emplace(key, std::make_pair(int32_t(r), mi->second));  // first (lowest) rank wins
  }
}

// Added tokens take their ids; decoded bytes of every token: through the byte alphabet when every
// character belongs to it, else the token's own UTF-8 (HF's ByteLevel decoder does the same).
void BpeTokenizer::index_added_and_bytes(const std::unordered_map<char32_t, uint8_t>& c2b) {
  is_special_.assign(tokens_.size(), 0);
  for (const auto& a : added_) {
    tokens_[size_t(a.id)] = a.content;
    token_ids_[a.content] = int32_t(a.id);
    if (a.special) is_special_[size_t(a.id)] = 1;
  }
  token_bytes_.resize(tokens_.size());
  for (size_t id = 0; id < tokens_.size(); ++id) {
    const std::string& t = tokens_[id];
    std::string bytes;
    bool all = true;
    for (const Cp& cp : decode_utf8(t, 0, t.size())) {
      auto it = c2b.find(cp.c);
      if (it == c2b.end()) {
        all = false;
        break;
      }
      bytes += char(it->second);
    }
    token_bytes_[id] = all ? bytes : t;
  }
}

std::vector<std::string> BpeTokenizer::pre_tokenize(const std::string& text) const {
  const auto cps = decode_utf8(text, 0, text.size());
  std::vector<std::pair<size_t, size_t>> pieces;
  if (pre_ == PreTokenizer::Gpt2Digits) {
    size_t start = 0;
    for (size_t k = 0; k <= cps.size(); ++k) {
      if (k < cps.size() && !(cps[k].c != kInvalid && is_numeric(cps[k].c))) continue;
      if (k > start) split_gpt2(cps, start, k, pieces);
      if (k < cps.size()) pieces.emplace_back(k, k + 1);
      start = k + 1;
    }
  } else {
    split_gpt2(cps, 0, cps.size(), pieces);
  }
  std::vector<std::string> out;
  out.reserve(pieces.size());
  for (auto [a, b] : pieces) {
    const size_t from = cps[a].off, to = cps[b - 1].off + cps[b - 1].len;
    out.push_back(text.substr(from, to - from));
  }
  return out;
}

void BpeTokenizer::encode_piece(const char* p, size_t n, std::vector<int64_t>& out) const {
  if (ignore_merges_) {
    std::string mapped;
    for (size_t k = 0; k < n; ++k) append_utf8(mapped, byte_to_char()[uint8_t(p[k])]);
    if (auto it = token_ids_.find(mapped); it != token_ids_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  struct Sym {
    int32_t id, prev, next;
  };
  std::vector<Sym> sym;
  sym.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    int32_t id = byte_ids_[uint8_t(p[k])];
    if (id < 0) id = int32_t(unk_);
    if (id < 0) continue;  // no token for this byte and no <unk>: dropped, as HF does
    const int32_t at = int32_t(sym.size());
    sym.push_back({id, at - 1, at + 1});
  }
  if (sym.empty()) return;
  sym.back().next = -1;
  struct Merge {
    int32_t rank, pos, id;
    bool operator>(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Merge, std::vector<Merge>, std::greater<Merge>> queue;
  auto pair_of = [&](int32_t a, int32_t b) -> const std::pair<int32_t, int32_t>* {
    auto it =
        merges_.find((uint64_t(uint32_t(sym[size_t(a)].id)) << 32) | uint32_t(sym[size_t(b)].id));
    return it == merges_.end() ? nullptr : &it->second;
  };
  for (int32_t k = 0; k + 1 < int32_t(sym.size()); ++k) {
    if (auto m = pair_of(k, k + 1)) queue.push({m->first, k, m->second});
  }
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Sym& s = sym[size_t(top.pos)];
    if (s.id < 0 || s.next < 0) continue;
    const auto* m = pair_of(top.pos, s.next);
    if (!m || m->second != top.id) continue;  // stale: one side has changed since it was queued
    Sym& right = sym[size_t(s.next)];
    s.id = top.id;
    right.id = -1;
    s.next = right.next;
    if (s.next >= 0) sym[size_t(s.next)].prev = top.pos;
    if (s.prev >= 0) {
      if (auto pm = pair_of(s.prev, top.pos)) queue.push({pm->first, s.prev, pm->second});
    }
    if (s.next >= 0) {
      if (auto nm = pair_of(top.pos, s.next)) queue.push({nm->first, top.pos, nm->second});
    }
  }
  for (int32_t k = 0; k >= 0; k = sym[size_t(k)].next) out.push_back(sym[size_t(k)].id);
}

void BpeTokenizer::encode_segment(const std::string& text, size_t begin, size_t end,
                                  std::vector<int64_t>& out) const {
  if (begin >= end) return;
  // Pre-tokenise only this segment: the regex's look-ahead must not see past an added token.
  const std::string seg = text.substr(begin, end - begin);
  for (const std::string& piece : pre_tokenize(seg)) encode_piece(piece.data(), piece.size(), out);
}

std::vector<int64_t> BpeTokenizer::encode(const std::string& text, bool parse_special) const {
  std::vector<int64_t> out;
  out.reserve(text.size() / 3 + 4);
  size_t seg = 0, i = 0;
  const bool any = std::any_of(added_.begin(), added_.end(),
                               [&](const Spec::Added& a) { return parse_special || !a.special; });
  while (any && i < text.size()) {
    const Spec::Added* hit = nullptr;
    for (const auto& a : added_) {  // longest first: the first hit is the leftmost-longest match
      if (a.special && !parse_special) continue;
      if (text.compare(i, a.content.size(), a.content) == 0) {
        hit = &a;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    encode_segment(text, seg, i, out);
    out.push_back(hit->id);
    i += hit->content.size();
    seg = i;
  }
  encode_segment(text, seg, text.size(), out);
  return out;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::string out;
  for (int64_t id : ids) {
    if (id < 0 || id >= int64_t(tokens_.size())) continue;  // unknown ids are skipped, as in HF
    if (skip_special && is_special_[size_t(id)]) continue;
    out += token_bytes_[size_t(id)];
  }
  return out;
}

int64_t BpeTokenizer::special_id(const std::string& token) const {
  for (const auto& a : added_)
    if (a.content == token) return a.id;
  return -1;
}

std::vector<std::string> BpeTokenizer::special_tokens() const {
  std::vector<std::pair<int64_t, std::string>> s;
  for (const auto& a : added_)
    if (a.special) s.emplace_back(a.id, a.content);
  std::sort(s.begin(), s.end());
  std::vector<std::string> out;
  for (auto& [id, c] : s) out.push_back(c);
  return out;
}

std::string BpeTokenizer::id_to_token(int64_t id) const {
  return id >= 0 && id < int64_t(tokens_.size()) ? tokens_[size_t(id)] : std::string();
}

int64_t BpeTokenizer::token_to_id(const std::string& token) const {
  auto it = token_ids_.find(token);
  return it == token_ids_.end() ? -1 : it->second;
}

}  // namespace dpg::model
