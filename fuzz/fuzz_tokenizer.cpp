// SPDX-License-Identifier: MIT
// Fuzz target: the tokenizer.json / BPE reader (core/model/bpe_tokenizer.h). The input is
// tokenizer.json, NUL, tokenizer_config.json, NUL, a text; a tokenizer that loads encodes the text
// and decodes the ids. Refusals must be FormatError.
#include "core/model/bpe_tokenizer.h"
#include "core/model/errors.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using dpg::fuzz::part;
  const std::string input = dpg::fuzz::as_text(data, size);
  try {
    const auto tok = dpg::model::BpeTokenizer::from_tokenizer_json_text(
        std::string(part(input, 0)), std::string(part(input, 1)), "input/tokenizer.json");
    const std::string text(part(input, 2));
    const auto ids = tok->encode(text, true);
    (void)tok->decode(ids, false);
    (void)tok->decode(ids, true);
    (void)tok->special_tokens();
  } catch (const dpg::model::FormatError& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::exception& e) {
    dpg::fuzz::undocumented(e);
  }
  return 0;
}
