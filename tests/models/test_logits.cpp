// SPDX-License-Identifier: MIT
// Logits of our functional models against HF transformers (tests/reference/ref_models.py).
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"
#include "tests/models/test_models.h"

#include <torch/torch.h>
#include <QtTest>

using namespace dpg::model;

namespace {

// max |got - want| over the rows where @p valid (or everywhere), against tol * max |want|.
void expect_close(const torch::Tensor& got, const torch::Tensor& want, double rel_tol,
                  const std::string& what, const torch::Tensor& valid = {}) {
  QVERIFY2(got.sizes() == want.sizes(),
           (what + ": shape " + c10::str(got.sizes()) + " vs " + c10::str(want.sizes())).c_str());
  auto diff = (got - want).abs();
  auto ref = want.abs();
  if (valid.defined()) {
    diff = diff.masked_select(valid.unsqueeze(-1).expand_as(diff));
    ref = ref.masked_select(valid.unsqueeze(-1).expand_as(ref));
  }
  const double d = diff.max().item<double>(), scale = ref.max().item<double>();
  qInfo("%s: max|diff| %.3g, logit scale %.3g (%.2g of it)", what.c_str(), d, scale, d / scale);
  QVERIFY2(std::isfinite(d) && d <= rel_tol * scale,
           (what + ": max |diff| " + std::to_string(d) + " exceeds " + std::to_string(rel_tol) +
            " x " + std::to_string(scale))
               .c_str());
}

void check_tiny(const LoadedModel& m, const std::string& ref_name, const std::string& name) {
  const auto ref = read_safetensors(TestModels::fixture(ref_name + "_logits.safetensors")).tensors;
  torch::NoGradGuard ng;
  expect_close(forward(m.config, m.params, ref.at("ids")), ref.at("logits"), 1e-5, name + " plain");
  ForwardOptions o;
  o.positions = ref.at("positions");
  o.key_mask = ref.at("mask").to(torch::kBool);
  expect_close(forward(m.config, m.params, ref.at("padded_ids"), o), ref.at("padded_logits"), 1e-5,
               name + " left-padded", o.key_mask);
}

}  // namespace

void TestModels::smollm2_logits_match_hf() {
  const auto& m = smollm2();
  QCOMPARE(m.config.arch, Arch::Llama);
  QCOMPARE(m.config.n_kv_head, int64_t(3));
  QVERIFY(m.config.tied_head);
  const auto ref = read_safetensors(fixture("smollm2_logits.safetensors")).tensors;
  c10::InferenceMode im;
  int prompts = 0;
  for (int k = 0; ref.count("ids." + std::to_string(k)); ++k, ++prompts) {
    const auto ids = ref.at("ids." + std::to_string(k)).unsqueeze(0);
    const auto got = forward(m.config, m.params, ids)[0];
    expect_close(got, ref.at("logits." + std::to_string(k)), 1e-3,
                 "SmolLM2 prompt " + std::to_string(k));
  }
  QCOMPARE(prompts, 8);
}

void TestModels::tiny_safetensors_logits_match_hf() {
  for (const std::string name : {"tiny_gpt2", "tiny_llama"}) {
    const auto m = load_model(fixture(name));
    QCOMPARE(m.tokenizer->kind(), std::string("byte"));
    check_tiny(m, name, name);
  }
  const auto llama = load_model(fixture("tiny_llama"));
  QVERIFY(!llama.config.tied_head);
  QCOMPARE(llama.config.n_kv_head, int64_t(2));
  QCOMPARE(llama.config.rope_theta, 5000.0);
}

void TestModels::tiny_gguf_logits_match_hf() {
  for (const std::string name : {"tiny_gpt2", "tiny_llama"}) {
    const auto g = load_model(fixture(name + ".gguf"));
    const auto s = load_model(fixture(name));
    QCOMPARE(g.tokenizer->kind(), std::string("bpe"));
    QCOMPARE(g.tokenizer->vocab_size(), int64_t(257));
    // The GGUF tokenizer (byte alphabet, no merges) tokenises like the byte tokenizer.
    const std::string text = "héllo, wörld\n\t🙂";
    QCOMPARE(g.tokenizer->encode(text), s.tokenizer->encode(text));
    QCOMPARE(g.params.size(), s.params.size());
    for (const auto& [n, t] : s.params) {
      QVERIFY2(g.params.count(n), ("GGUF lacks " + n).c_str());
      QVERIFY2(torch::equal(g.params.at(n), t),
               (name + ".gguf: " + n + " differs from safetensors").c_str());
    }
    bool any_f16 = false;
    for (const auto& [n, type] : g.tensor_types) any_f16 = any_f16 || type == "F16";
    QVERIFY(any_f16);
    check_tiny(g, name, name + ".gguf");
  }
}
