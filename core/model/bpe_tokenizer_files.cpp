// SPDX-License-Identifier: MIT
// BpeTokenizer's factories: the Spec read from an HF tokenizer.json (with its
// tokenizer_config.json) or from GGUF tokenizer metadata.
#include "core/model/bpe_tokenizer.h"

#include "core/log/log.h"
#include "core/model/errors.h"
#include "core/model/file_util.h"
#include "core/model/gguf.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace dpg::model {
namespace {

using nlohmann::json;

// tokenizer.json "pre_tokenizer" -> our flavour; nullopt-like failure via FormatError.
PreTokenizer parse_pre_tokenizer(const json& pt, const std::string& path) {
  auto byte_level_ok = [&](const json& b) {
    return b.value("type", "") == "ByteLevel" && !b.value("add_prefix_space", false) &&
           b.value("use_regex", true);
  };
  if (byte_level_ok(pt)) return PreTokenizer::Gpt2;
  if (pt.value("type", "") == "Sequence" && pt.contains("pretokenizers")) {
    const auto& seq = pt["pretokenizers"];
    if (seq.size() == 2 && seq[0].value("type", "") == "Digits" &&
        seq[0].value("individual_digits", false) && byte_level_ok(seq[1])) {
      return PreTokenizer::Gpt2Digits;
    }
  }
  throw FormatError(path, -1,
                    "unsupported pre_tokenizer " + pt.dump() +
                        " (supported: ByteLevel, or Digits(individual) + ByteLevel, "
                        "without prefix space)");
}

std::string token_content(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content")) return v["content"].get<std::string>();
  return {};
}

}  // namespace

namespace {

// Only plain byte-level BPE: no prefix/suffix, byte fallback, dropout or normalizer.
void check_byte_level_bpe(const json& j, const json& m, const std::string& path) {
  if (m.value("type", "BPE") != "BPE") {
    throw FormatError(path, -1, "model type '" + m.value("type", "") + "' is not BPE");
  }
  auto nonempty = [&](const char* k) { return m.contains(k) && !m[k].is_null() && m[k] != ""; };
  if (nonempty("continuing_subword_prefix") || nonempty("end_of_word_suffix") ||
      m.value("byte_fallback", false) || (m.contains("dropout") && !m["dropout"].is_null())) {
    throw FormatError(path, -1,
                      "BPE options beyond byte-level BPE (prefix/suffix/byte_fallback/"
                      "dropout) are not supported");
  }
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    throw FormatError(path, -1, "normalizers are not supported: " + j["normalizer"].dump());
  }
}

// The id @p v of token @p token: an integer in [0, @p entries).
int64_t token_id(const json& v, const std::string& token, int64_t entries,
                 const std::string& path) {
  if (!v.is_number_integer())
    throw FormatError(path, -1,
                      "token '" + token + "' has the id " + v.dump() + ", not an integer");
  const bool outside = v.is_number_unsigned() ? v.get<uint64_t>() >= uint64_t(entries)
                                              : v.get<int64_t>() < 0 || v.get<int64_t>() >= entries;
  if (outside) {
    throw FormatError(path, -1,
                      "token '" + token + "' has the id " + v.dump() + ", outside 0.." +
                          std::to_string(entries - 1) + " (the file defines " +
                          std::to_string(entries) + " tokens)");
  }
  return v.get<int64_t>();
}

// Vocabulary (sized to cover the added tokens' ids too), merges, added tokens and <unk>. Ids index
// one table, so they must lie below the number of tokens the file defines.
void read_json_model(const json& j, const json& m, const std::string& path,
                     BpeTokenizer::Spec& spec) {
  const json& vocab = m.at("vocab");
  const json added = j.value("added_tokens", json::array());
  if (!vocab.is_object()) throw FormatError(path, -1, "model.vocab is not an object");
  const int64_t entries = int64_t(vocab.size() + added.size());
  int64_t n = 0;
  for (const auto& [tok, id] : vocab.items()) n = std::max(n, token_id(id, tok, entries, path) + 1);
  for (const auto& a : added)
    n = std::max(n, token_id(a.at("id"), a.value("content", ""), entries, path) + 1);
  spec.tokens.resize(size_t(n));
  for (const auto& [tok, id] : vocab.items()) spec.tokens[size_t(id.get<int64_t>())] = tok;
  for (const auto& mg : m.at("merges")) {
    if (mg.is_string()) {
      const auto s = mg.get<std::string>();
      const auto sp = s.find(' ');
      if (sp == std::string::npos)
        throw FormatError(path, -1, "merge '" + s + "' is not two tokens");
      spec.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    } else {
      spec.merges.emplace_back(mg.at(0).get<std::string>(), mg.at(1).get<std::string>());
    }
  }
  for (const auto& a : added) {
    if (a.value("lstrip", false) || a.value("rstrip", false) || a.value("single_word", false)) {
      log::warn(path + ": added token " + a.at("content").get<std::string>() +
                " uses lstrip/rstrip/single_word, which are ignored");
    }
    spec.added.push_back(
        {a.at("id").get<int64_t>(), a.at("content").get<std::string>(), a.value("special", false)});
  }
  if (m.contains("unk_token") && m["unk_token"].is_string()) {
    const auto u = m["unk_token"].get<std::string>();
    for (size_t k = 0; k < spec.tokens.size(); ++k)
      if (spec.tokens[k] == u) spec.unk_id = int64_t(k);
  }
}

// BOS, EOS and padding from tokenizer_config.json @p cfg, else "<|endoftext|>".
void read_special_ids(const json& cfg, BpeTokenizer::Spec& spec) {
  auto id_of = [&](const std::string& s) -> int64_t {
    if (s.empty()) return -1;
    for (const auto& a : spec.added)
      if (a.content == s) return a.id;
    for (size_t k = 0; k < spec.tokens.size(); ++k)
      if (spec.tokens[k] == s) return int64_t(k);
    return -1;
  };
  const int64_t eot = id_of("<|endoftext|>");
  spec.eos_id = cfg.contains("eos_token") ? id_of(token_content(cfg["eos_token"])) : eot;
  spec.bos_id = cfg.contains("bos_token") ? id_of(token_content(cfg["bos_token"])) : eot;
  spec.pad_id = cfg.contains("pad_token") ? id_of(token_content(cfg["pad_token"])) : spec.eos_id;
}

}  // namespace

std::shared_ptr<BpeTokenizer> BpeTokenizer::from_tokenizer_json(const std::string& path) {
  const auto cfg_path = std::filesystem::path(path).parent_path() / "tokenizer_config.json";
  std::string cfg_text;
  if (std::filesystem::exists(cfg_path)) {
    cfg_text = read_file_bytes(cfg_path.string());
    if (cfg_text.empty()) cfg_text = " ";  // present but empty: not valid JSON
  }
  return from_tokenizer_json_text(read_file_bytes(path), cfg_text, path);
}

std::shared_ptr<BpeTokenizer> BpeTokenizer::from_tokenizer_json_text(
    const std::string& tokenizer_json, const std::string& config_json, const std::string& path) {
  json j;
  try {
    j = json::parse(tokenizer_json);
  } catch (const json::exception& e) {
    throw FormatError(path, -1, std::string("not valid JSON: ") + e.what());
  }
  Spec spec;
  try {
    const json& m = j.at("model");
    check_byte_level_bpe(j, m, path);
    spec.pre = parse_pre_tokenizer(j.at("pre_tokenizer"), path);
    spec.ignore_merges = m.value("ignore_merges", false);
    read_json_model(j, m, path, spec);
  } catch (const json::exception& e) {
    throw FormatError(path, -1, std::string("unexpected tokenizer.json structure: ") + e.what());
  }
  const std::string cfg_path =
      (std::filesystem::path(path).parent_path() / "tokenizer_config.json").string();
  try {
    read_special_ids(config_json.empty() ? json::object() : json::parse(config_json), spec);
  } catch (const json::parse_error& e) {
    throw FormatError(cfg_path, -1, std::string("not valid JSON: ") + e.what());
  } catch (const json::exception& e) {
    throw FormatError(cfg_path, -1, std::string("unexpected structure: ") + e.what());
  }
  return std::make_shared<BpeTokenizer>(std::move(spec), path);
}

namespace {

PreTokenizer gguf_pre_tokenizer(const GgufFile& f) {
  const std::string pre = f.get_string("tokenizer.ggml.pre", "gpt-2");
  if (pre == "gpt-2" || pre == "gpt2") return PreTokenizer::Gpt2;
  if (pre == "smollm" || pre == "starcoder" || pre == "refact" || pre == "codeshell")
    return PreTokenizer::Gpt2Digits;
  throw FormatError(f.path(), f.key_offset("tokenizer.ggml.pre"),
                    "tokenizer.ggml.pre '" + pre + "' is not supported (gpt-2, smollm, starcoder)");
}

std::vector<std::string> gguf_string_array(const GgufFile& f, const std::string& key,
                                           bool required) {
  std::vector<std::string> out;
  const GgufValue* v = f.find(key);
  if (!v) {
    if (required) throw FormatError(f.path(), -1, "metadata '" + key + "' is missing");
    return out;
  }
  if (v->type != GgufType::Array || v->elem_type != GgufType::String) {
    throw FormatError(f.path(), f.key_offset(key),
                      "metadata '" + key + "' must be an array of strings");
  }
  out.reserve(v->array.size());
  for (const auto& e : v->array) out.push_back(e.s);
  return out;
}

// Control (3) and user-defined (4) tokens of llama.cpp's token types become added tokens (1 normal,
// 2 unknown, 5 unused, 6 byte stay ordinary).
void gguf_added_tokens(const GgufFile& f, BpeTokenizer::Spec& spec) {
  const GgufValue* tt = f.find("tokenizer.ggml.token_type");
  if (!tt) return;
  if (tt->type != GgufType::Array || !(tt->array.empty() || tt->array[0].is_integer()) ||
      tt->array.size() != spec.tokens.size()) {
    throw FormatError(f.path(), f.key_offset("tokenizer.ggml.token_type"),
                      "tokenizer.ggml.token_type must be an integer array as long as the tokens");
  }
  for (size_t k = 0; k < tt->array.size(); ++k) {
    const int64_t t = tt->array[k].i;
    if (t == 3 || t == 4) spec.added.push_back({int64_t(k), spec.tokens[k], t == 3});
  }
}

}  // namespace

std::shared_ptr<BpeTokenizer> BpeTokenizer::from_gguf(const GgufFile& f) {
  const std::string model = f.get_string("tokenizer.ggml.model");
  if (model != "gpt2") {
    throw FormatError(
        f.path(), f.key_offset("tokenizer.ggml.model"),
        "tokenizer.ggml.model '" + model + "' is not supported (only byte-level BPE, 'gpt2')");
  }
  Spec spec;
  spec.pre = gguf_pre_tokenizer(f);
  spec.tokens = gguf_string_array(f, "tokenizer.ggml.tokens", true);
  for (const std::string& s :
       gguf_string_array(f, "tokenizer.ggml.merges", false)) {  // none: bytes only
    const auto sp = s.find(' ');
    if (sp == std::string::npos) {
      throw FormatError(f.path(), f.key_offset("tokenizer.ggml.merges"),
                        "merge '" + s + "' is not two tokens");
    }
    spec.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
  }
  gguf_added_tokens(f, spec);
  spec.bos_id = f.get_int("tokenizer.ggml.bos_token_id", -1);
  spec.eos_id = f.get_int("tokenizer.ggml.eos_token_id", -1);
  spec.pad_id = f.get_int("tokenizer.ggml.padding_token_id", spec.eos_id);
  // tokenizer.ggml.unknown_token_id is not used: HF byte-level BPE has no <unk> and drops bytes
  // the vocabulary lacks (SmolLM2's unknown id is <|endoftext|>, which must never appear in text).
  spec.unk_id = -1;
  return std::make_shared<BpeTokenizer>(std::move(spec), f.path());
}

}  // namespace dpg::model
