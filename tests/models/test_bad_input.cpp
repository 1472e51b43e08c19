// SPDX-License-Identifier: MIT
// Broken files: truncated, corrupt, unsupported or inconsistent GGUF and safetensors input must end
// in a FormatError that names the file, the offset and the reason; never in a crash.
#include "core/model/errors.h"
#include "core/model/file_util.h"
#include "core/model/gguf.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "tests/models/test_models.h"

#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <functional>
#include <random>

using namespace dpg::model;
namespace fs = std::filesystem;

namespace {

// Runs @p load on @p bytes written to a scratch file; returns the FormatError it must throw.
// Any other outcome (success, another exception type) fails the test.
std::optional<FormatError> expect_format_error(const std::string& bytes, const std::string& name,
                                               const std::function<void(const std::string&)>& load,
                                               const std::string& what) {
  static QTemporaryDir dir;
  const std::string path = (dir.path() + QStringLiteral("/")).toStdString() + name;
  write_file_atomic(path, bytes);
  try {
    load(path);
  } catch (const FormatError& e) {
    if (e.file() != path || e.reason().empty()) {
      QTest::qFail(("FormatError without file or reason: " + std::string(e.what())).c_str(),
                   __FILE__, __LINE__);
      return std::nullopt;
    }
    return e;
  } catch (const std::exception& e) {
    QTest::qFail((what + ": expected FormatError, got: " + e.what()).c_str(), __FILE__, __LINE__);
    return std::nullopt;
  }
  QTest::qFail((what + ": loaded without error").c_str(), __FILE__, __LINE__);
  return std::nullopt;
}

void load_any(const std::string& p) {
  load_model(p);
}
void open_gguf(const std::string& p) {
  GgufFile::open(p);
}

template <typename T>
void poke(std::string& bytes, int64_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

// Offset of a metadata value: key record = u64 length, key, u32 type, value.
int64_t value_offset(const GgufFile& f, const std::string& key) {
  return f.key_offset(key) + 8 + int64_t(key.size()) + 4;
}

}  // namespace

void TestModels::bad_gguf_truncated() {
  const std::string path = fixture("tiny_llama.gguf");
  const std::string bytes = read_file_bytes(path);
  const auto f = GgufFile::open(path);
  std::vector<size_t> cuts = {0, 1, 3, 4, 7, 8, 15, 16, 23, 24, 30};
  for (size_t c = 31; c < f.data_offset(); c += 97) cuts.push_back(c);  // metadata and tensor infos
  for (size_t c = f.data_offset(); c < bytes.size(); c += 4099) cuts.push_back(c);  // tensor data
  cuts.push_back(bytes.size() - 1);
  for (size_t cut : cuts) {
    const auto e = expect_format_error(bytes.substr(0, cut), "cut.gguf", load_any,
                                       "cut at " + std::to_string(cut));
    if (!e) return;
    QVERIFY2(
        e->offset() >= 0 && e->offset() <= int64_t(cut),
        ("offset " + std::to_string(e->offset()) + " for a cut at " + std::to_string(cut)).c_str());
  }
  qInfo("%zu truncations rejected; e.g. %s", cuts.size(),
        expect_format_error(bytes.substr(0, 200), "cut.gguf", load_any, "")->what());
}

void TestModels::bad_gguf_corrupt_header() {
  const std::string path = fixture("tiny_llama.gguf");
  const std::string good = read_file_bytes(path);
  const auto f = GgufFile::open(path);
  const auto& t0 = f.tensors().front();
  const int64_t dims_at = t0.info_offset + 8 + int64_t(t0.name.size());
  const int64_t type_at = dims_at + 4 + 8 * int64_t(t0.ne.size());
  struct Case {
    const char* what;
    std::function<void(std::string&)> corrupt;
    int64_t offset;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"magic", [](std::string& b) { b[3] = 'X'; }, 0, "magic"},
      {"version", [](std::string& b) { poke<uint32_t>(b, 4, 99); }, 4, "version"},
      {"tensor count", [](std::string& b) { poke<uint64_t>(b, 8, uint64_t(1) << 60); }, 8,
       "tensor count"},
      {"metadata count", [](std::string& b) { poke<uint64_t>(b, 16, uint64_t(1) << 59); }, 16,
       "metadata count"},
      {"key length", [](std::string& b) { poke<uint64_t>(b, 24, uint64_t(1) << 62); }, 24,
       "length"},
      {"value type",
       [&](std::string& b) { poke<uint32_t>(b, value_offset(f, "llama.block_count") - 4, 77); },
       value_offset(f, "llama.block_count") - 4, "value type"},
      {"array count",
       [&](std::string& b) {
         poke<uint64_t>(b, value_offset(f, "tokenizer.ggml.tokens") + 4, ~0ull);
       },
       value_offset(f, "tokenizer.ggml.tokens") + 4, "array"},
      {"n_dims", [&](std::string& b) { poke<uint32_t>(b, dims_at, 9); }, dims_at, "dimensions"},
      {"dimension overflow",
       [&](std::string& b) { poke<uint64_t>(b, dims_at + 4, uint64_t(1) << 63); }, dims_at + 4,
       "overflows"},
      {"ggml type", [&](std::string& b) { poke<uint32_t>(b, type_at, 200); }, type_at,
       "unsupported ggml type"},
      {"tensor offset", [&](std::string& b) { poke<uint64_t>(b, type_at + 4, 3); }, type_at + 4,
       "alignment"},
      {"tensor beyond end",
       [&](std::string& b) { poke<uint64_t>(b, type_at + 4, uint64_t(1) << 40); }, t0.info_offset,
       "beyond the end"},
  };
  for (const auto& c : cases) {
    std::string bytes = good;
    c.corrupt(bytes);
    const auto e = expect_format_error(bytes, "corrupt.gguf", load_any, c.what);
    if (!e) return;
    QVERIFY2(e->offset() == c.offset && e->reason().find(c.reason) != std::string::npos,
             (std::string(c.what) + ": got '" + e->what() + "', want offset " +
              std::to_string(c.offset) + " and a reason mentioning '" + c.reason + "'")
                 .c_str());
  }
  // Random byte flips in the header region: a FormatError or a successful load, nothing else.
  std::mt19937 rng(99);
  int rejected = 0;
  for (int k = 0; k < 150; ++k) {
    std::string bytes = good;
    for (int j = 0; j < 3; ++j) bytes[rng() % f.data_offset()] = char(rng() % 256);
    static QTemporaryDir dir;
    const std::string p = (dir.path() + QStringLiteral("/fuzz.gguf")).toStdString();
    write_file_atomic(p, bytes);
    try {
      load_model(p);
    } catch (const FormatError& e) {
      ++rejected;
      QVERIFY(e.file() == p);
    } catch (const std::exception& e) {
      QFAIL((std::string("fuzzed GGUF escaped as a non-FormatError: ") + e.what()).c_str());
    }
  }
  qInfo("fuzz: %d of 150 corrupted headers rejected, the rest still loaded", rejected);
}

void TestModels::bad_gguf_unsupported_type() {
  const auto f = GgufFile::open(fixture("unsupported.gguf"));
  const auto* t = f.find_tensor("t.Q5_K");
  QVERIFY(t);
  QCOMPARE(t->type_name(), std::string("Q5_K"));
  try {
    f.dequantize(*t);
    QFAIL("Q5_K was dequantised");
  } catch (const FormatError& e) {
    QCOMPARE(e.offset(), t->info_offset);
    QVERIFY(e.reason().find("Q5_K") != std::string::npos);
    QCOMPARE(e.file(), fixture("unsupported.gguf"));
  }
  // A model file whose tensors use it fails the same way while loading.
  std::string bytes = read_file_bytes(fixture("tiny_llama.gguf"));
  const auto g = GgufFile::open(fixture("tiny_llama.gguf"));
  const auto* norm = g.find_tensor("output_norm.weight");  // 64 F32 values = 256 bytes
  const int64_t type_at = norm->info_offset + 8 + int64_t(norm->name.size()) + 4 + 8;
  poke<uint32_t>(bytes, type_at, uint32_t(GgmlType::I32));  // same size, not a float type
  const auto e = expect_format_error(bytes, "i32.gguf", load_any, "I32 tensor");
  QVERIFY(e && e->offset() == norm->info_offset && e->reason().find("I32") != std::string::npos);
}

void TestModels::bad_safetensors() {
  const std::string path = fixture("tiny_gpt2/model.safetensors");
  const std::string good = read_file_bytes(path);
  uint64_t hlen = 0;
  std::memcpy(&hlen, good.data(), 8);
  auto read = [](const std::string& p) { read_safetensors(p); };
  for (size_t cut : {size_t(0), size_t(5), size_t(8), size_t(9), size_t(8 + hlen / 2),
                     size_t(8 + hlen), size_t(8 + hlen + 100), good.size() - 1}) {
    QVERIFY(expect_format_error(good.substr(0, cut), "model.safetensors", read,
                                "cut " + std::to_string(cut)));
  }
  std::string bad_json = good;
  bad_json[8] = 'x';
  auto e = expect_format_error(bad_json, "model.safetensors", read, "bad JSON");
  QVERIFY(e && e->offset() == 8);
  std::string huge = good;
  poke<uint64_t>(huge, 0, uint64_t(1) << 62);
  e = expect_format_error(huge, "model.safetensors", read, "huge header");
  QVERIFY(e && e->offset() == 0);
  // A header that points past the data.
  nlohmann::json h = {
      {"w", {{"dtype", "F32"}, {"shape", {1000, 1000}}, {"data_offsets", {0, 4000000}}}}};
  std::string hs = h.dump(), lie(8, '\0');
  poke<uint64_t>(lie, 0, hs.size());
  lie += hs + std::string(64, '\0');
  e = expect_format_error(lie, "model.safetensors", read, "range past the end");
  QVERIFY(e && e->reason().find("outside the file") != std::string::npos);
  // Through load_model (directory layout), truncated weights are reported against the weights file.
  QTemporaryDir dir;
  const fs::path d = dir.path().toStdString();
  fs::copy_file(fixture("tiny_gpt2/config.json"), d / "config.json");
  write_file_atomic((d / "model.safetensors").string(), good.substr(0, good.size() / 2));
  try {
    load_model(d.string());
    QFAIL("truncated model loaded");
  } catch (const FormatError& err) {
    QCOMPARE(err.file(), (d / "model.safetensors").string());
  }
}

void TestModels::bad_config_mismatch() {
  // config.json that disagrees with the tensors.
  for (const auto& [field, value] : std::vector<std::pair<std::string, int>>{
           {"num_hidden_layers", 3}, {"hidden_size", 32}, {"num_key_value_heads", 4}}) {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    fs::copy_file(fixture("tiny_llama/model.safetensors"), d / "model.safetensors");
    auto cfg = nlohmann::json::parse(read_file_bytes(fixture("tiny_llama/config.json")));
    cfg[field] = value;
    write_file_atomic((d / "config.json").string(), cfg.dump());
    try {
      load_model(d.string());
      QFAIL(("config with " + field + " changed loaded").c_str());
    } catch (const FormatError& e) {
      qInfo("%s: %s", field.c_str(), e.what());
      QVERIFY(!e.reason().empty());
    }
  }
  // GGUF metadata that disagrees with the tensors: the error points at the key or the tensor.
  const auto f = GgufFile::open(fixture("tiny_llama.gguf"));
  const std::string good = read_file_bytes(fixture("tiny_llama.gguf"));
  std::string more_layers = good;
  poke<uint32_t>(more_layers, value_offset(f, "llama.block_count"), 3);
  auto e = expect_format_error(more_layers, "layers.gguf", load_any, "block_count 3");
  QVERIFY(e && e->offset() == f.key_offset("llama.block_count") &&
          e->reason().find("missing") != std::string::npos);
  std::string wider = good;
  poke<uint32_t>(wider, value_offset(f, "llama.feed_forward_length"), 128);
  e = expect_format_error(wider, "ff.gguf", load_any, "feed_forward_length 128");
  QVERIFY(e && e->reason().find("shape") != std::string::npos);
  bool at_tensor = false;
  for (const auto& t : f.tensors()) at_tensor = at_tensor || t.info_offset == e->offset();
  QVERIFY2(at_tensor, e->what());
}
