// SPDX-License-Identifier: MIT
// GGUF reader and dequantisation against gguf-py (tests/reference/ref_quant.py).
#include "core/model/errors.h"
#include "core/model/file_util.h"
#include "core/model/gguf.h"
#include "core/model/safetensors.h"
#include "tests/models/test_models.h"

#include <torch/torch.h>
#include <QtTest>
#include <nlohmann/json.hpp>

using namespace dpg::model;
using nlohmann::json;

namespace {

json load_json(const std::string& path) {
  return json::parse(read_file_bytes(path));
}

// Compares one GGUF value with its JSON record; returns "" when equal, else why not.
std::string compare_value(const GgufValue& v, const json& want) {
  if (want.is_array()) {
    if (v.type != GgufType::Array) return "not an array";
    if (v.array.size() != want.size()) return "array length differs";
    for (size_t k = 0; k < want.size(); ++k) {
      auto why = compare_value(v.array[k], want[k]);
      if (!why.empty()) return "item " + std::to_string(k) + ": " + why;
    }
    return "";
  }
  if (want.is_boolean())
    return v.type == GgufType::Bool && (v.u != 0) == want.get<bool>() ? "" : "bool differs";
  if (want.is_string()) return v.s == want.get<std::string>() ? "" : "string differs: " + v.s;
  if (want.is_number_float())
    return v.f == want.get<double>() ? "" : "float differs: " + v.to_string();
  if (want.is_number_integer())
    return v.i == want.get<int64_t>() ? "" : "int differs: " + v.to_string();
  return "unexpected JSON";
}

void expect_equal(const torch::Tensor& got, const torch::Tensor& want, const std::string& what) {
  QVERIFY2(got.sizes() == want.sizes(),
           (what + ": shape " + c10::str(got.sizes()) + " vs " + c10::str(want.sizes())).c_str());
  const double diff = (got - want).abs().max().item<double>();
  // gguf-py and our kernels evaluate the same float32 expressions in the same order: bit-exact.
  QVERIFY2(diff == 0.0, (what + ": max |diff| " + std::to_string(diff)).c_str());
}

}  // namespace

void TestModels::gguf_metadata_all_types() {
  const auto info = load_json(fixture("quant.json"));
  const auto f = GgufFile::open(fixture("quant.gguf"));
  QCOMPARE(f.version(), 3u);
  QCOMPARE(f.alignment(), uint64_t(64));
  QCOMPARE(f.data_offset() % 64, uint64_t(0));
  QCOMPARE(f.get_string("general.architecture"), std::string("llama"));
  for (const auto& [key, rec] : info["metadata"].items()) {
    const GgufValue* v = f.find(key);
    QVERIFY2(v, ("missing key " + key).c_str());
    const std::string type = rec["type"].get<std::string>();
    QVERIFY2(gguf_type_name(v->type) == type, (key + ": type " + gguf_type_name(v->type)).c_str());
    if (type == "u64") {
      QCOMPARE(std::to_string(v->u), rec["value"].get<std::string>());
      continue;
    }
    const auto why = compare_value(*v, rec["value"]);
    QVERIFY2(why.empty(), (key + ": " + why).c_str());
  }
  QVERIFY(f.get_int("test.u32") == 4000000000LL);
  QVERIFY(f.get_float("test.f32") == 1.5);
  QVERIFY(f.get_bool("test.bool"));
  QCOMPARE(f.get_int("absent.key", 7), int64_t(7));
  QVERIFY_THROWS_EXCEPTION(FormatError, f.get_string("test.u8"));
  QVERIFY_THROWS_EXCEPTION(FormatError, f.get_int("absent.key"));
  QCOMPARE(f.tensors().size(), info["tensors"].size());
}

void TestModels::gguf_dequant_matches_gguf_py() {
  const auto info = load_json(fixture("quant.json"));
  const auto f = GgufFile::open(fixture("quant.gguf"));
  const auto expected = read_safetensors(fixture("quant_expected.safetensors")).tensors;
  std::set<std::string> types;
  for (const auto& [name, rec] : info["tensors"].items()) {
    const GgufTensorInfo* t = f.find_tensor(name);
    QVERIFY2(t, ("missing tensor " + name).c_str());
    QCOMPARE(t->type_name(), rec["type"].get<std::string>());
    QCOMPARE(t->shape(), rec["shape"].get<std::vector<int64_t>>());
    QCOMPARE((f.data_offset() + t->offset) % f.alignment(), uint64_t(0));
    expect_equal(f.dequantize(*t), expected.at(name), name);
    types.insert(t->type_name());
  }
  for (const char* want : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q4_K", "Q6_K"})
    QVERIFY2(types.count(want), (std::string("no tensor of type ") + want).c_str());
}

void TestModels::gguf_real_smollm2_blocks() {
  const auto info = load_json(fixture("quant.json"));
  const auto f = GgufFile::open(smollm2_path());
  const auto expected = read_safetensors(fixture("quant_expected.safetensors")).tensors;
  for (const auto& [name, rec] : info["real"].items()) {
    const GgufTensorInfo* t = f.find_tensor(name);
    QVERIFY(t);
    QCOMPARE(t->type_name(), rec["type"].get<std::string>());
    auto got = f.dequantize(*t);
    const auto& want = expected.at("real." + name);
    if (got.size(0) != want.size(0)) got = got.narrow(0, 0, want.size(0));
    expect_equal(got, want, name);
  }
}
