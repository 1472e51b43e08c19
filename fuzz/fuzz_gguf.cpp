// SPDX-License-Identifier: MIT
// Fuzz target: the GGUF reader (core/model/gguf.h), then what the loaders read from a parsed file:
// every metadata value rendered, every small tensor dequantised, the BPE tokenizer from
// tokenizer.ggml.*. Refusals must be FormatError.
#include "core/model/bpe_tokenizer.h"
#include "core/model/errors.h"
#include "core/model/gguf.h"
#include "fuzz/fuzz_target.h"

#include <ATen/Parallel.h>

namespace {

constexpr int64_t kMaxDequantised = 1 << 16;  // values: keeps one input fast

void exercise(const dpg::model::GgufFile& f) {
  for (const auto& [key, value] : f.metadata()) (void)value.to_string();
  for (const auto& t : f.tensors()) {
    const auto* tr = dpg::model::ggml_type_traits(t.type);
    if (!tr || !dpg::model::can_dequantize(tr->type) || t.n_elements() > kMaxDequantised) continue;
    (void)f.dequantize(t);
  }
  if (f.find("tokenizer.ggml.model")) {
    const auto tok = dpg::model::BpeTokenizer::from_gguf(f);
    (void)tok->decode(tok->encode("Hello, world 123!", true));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool once = (at::set_num_threads(1), true);
  (void)once;
  try {
    exercise(dpg::model::GgufFile::from_bytes(dpg::fuzz::as_text(data, size), "input.gguf"));
  } catch (const dpg::model::FormatError& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::exception& e) {
    dpg::fuzz::undocumented(e);
  }
  return 0;
}
