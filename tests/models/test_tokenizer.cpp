// SPDX-License-Identifier: MIT
// BPE tokenizer against HF `tokenizers` (tests/reference/ref_tokenizer.py).
#include "core/model/bpe_tokenizer.h"
#include "core/model/file_util.h"
#include "core/model/gguf.h"
#include "tests/models/test_models.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <random>
#include <sstream>

using namespace dpg::model;
using nlohmann::json;

namespace {

const json& cases() {
  static const json j = json::parse(read_file_bytes(TestModels::fixture("tokenizer_cases.json")));
  return j;
}

std::string show(const std::vector<int64_t>& v) {
  std::ostringstream o;
  o << '[';
  for (size_t k = 0; k < v.size(); ++k) o << (k ? "," : "") << v[k];
  return o.str() + ']';
}

// Every case of @p flavour: ids without and with special-token parsing, and the piece count.
void check_flavour(const BpeTokenizer& tok, const std::string& flavour) {
  const auto& texts = cases()["texts"];
  const auto& rows = cases()["flavours"][flavour];
  QCOMPARE(rows.size(), texts.size());
  QVERIFY(texts.size() >= 1000);
  int bad = 0;
  std::string report;
  for (size_t k = 0; k < texts.size(); ++k) {
    const std::string text = texts[k].get<std::string>();
    const auto want = rows[k]["ids"].get<std::vector<int64_t>>();
    const auto want_sp = rows[k]["ids_special"].get<std::vector<int64_t>>();
    const auto got = tok.encode(text, false);
    const auto got_sp = tok.encode(text, true);
    const auto pieces = tok.pre_tokenize(text).size();
    if (got != want || got_sp != want_sp || pieces != rows[k]["pieces"].get<size_t>()) {
      if (++bad <= 5) {
        report += "\n  text " + json(text).dump() + "\n    hf   " + show(want) + " / " +
                  show(want_sp) + "\n    ours " + show(got) + " / " + show(got_sp) + " pieces " +
                  std::to_string(pieces) + " vs " + rows[k]["pieces"].dump();
      }
    }
  }
  QVERIFY2(bad == 0, (flavour + ": " + std::to_string(bad) + " of " + std::to_string(texts.size()) +
                      " strings differ from HF:" + report)
                         .c_str());
}

}  // namespace

void TestModels::tokenizer_matches_hf() {
  const auto gguf = GgufFile::open(smollm2_path());
  const auto smol = BpeTokenizer::from_gguf(gguf);
  QVERIFY(smol->pre_tokenizer() == PreTokenizer::Gpt2Digits);
  QCOMPARE(smol->vocab_size(), int64_t(49152));
  QCOMPARE(smol->bos_id(), cases()["bos"].get<int64_t>());
  QCOMPARE(smol->eos_id(), cases()["eos"].get<int64_t>());
  QCOMPARE(smol->special_id("<|im_start|>"), int64_t(1));
  check_flavour(*smol, "smollm2");
  const auto gpt2 = BpeTokenizer::from_tokenizer_json(fixture("gpt2flavour_tok/tokenizer.json"));
  QVERIFY(gpt2->pre_tokenizer() == PreTokenizer::Gpt2);
  check_flavour(*gpt2, "gpt2flavour");
}

void TestModels::tokenizer_round_trip() {
  const auto tok = BpeTokenizer::from_gguf(GgufFile::open(smollm2_path()));
  const auto& texts = cases()["texts"];
  const auto& rows = cases()["flavours"]["smollm2"];
  for (size_t k = 0; k < texts.size(); ++k) {
    const std::string text = texts[k].get<std::string>();
    const auto ids = tok->encode(text, false);
    QVERIFY2(tok->decode(ids) == text, ("round trip failed for " + json(text).dump()).c_str());
    QCOMPARE(tok->decode(ids), rows[k]["decoded"].get<std::string>());
    QCOMPARE(tok->decode(tok->encode(text, true), true),
             rows[k]["decoded_skip"].get<std::string>());
  }
  // Arbitrary bytes (invalid UTF-8 included) survive encode/decode unchanged, as long as the
  // vocabulary has a token for each byte; the others are dropped, as HF drops them.
  std::vector<char> alphabet;
  for (int b = 0; b < 256; ++b)
    if (tok->has_byte(uint8_t(b))) alphabet.push_back(char(b));
  QVERIFY(alphabet.size() > 200);
  QVERIFY(!tok->has_byte(0xFF));
  QVERIFY(tok->encode("\xff").empty());
  std::mt19937 rng(7);
  for (int k = 0; k < 300; ++k) {
    std::string s(size_t(rng() % 40), '\0');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    QVERIFY2(tok->decode(tok->encode(s)) == s, "byte round trip failed");
  }
}

void TestModels::tokenizer_json_equals_gguf() {
  const auto a = BpeTokenizer::from_gguf(GgufFile::open(smollm2_path()));
  const auto b = BpeTokenizer::from_tokenizer_json(fixture("smollm2_tok/tokenizer.json"));
  QCOMPARE(b->vocab_size(), a->vocab_size());
  QVERIFY(b->pre_tokenizer() == PreTokenizer::Gpt2Digits);
  QCOMPARE(b->special_tokens(), a->special_tokens());
  for (const auto& t : cases()["texts"]) {
    const std::string text = t.get<std::string>();
    QCOMPARE(b->encode(text, true), a->encode(text, true));
  }
}
