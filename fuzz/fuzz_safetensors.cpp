// SPDX-License-Identifier: MIT
// Fuzz target: the safetensors reader (core/model/safetensors.h). Refusals must be FormatError.
#include "core/model/errors.h"
#include "core/model/safetensors.h"
#include "fuzz/fuzz_target.h"

#include <ATen/Parallel.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool once = (at::set_num_threads(1), true);
  (void)once;
  try {
    const auto file =
        dpg::model::parse_safetensors(dpg::fuzz::as_text(data, size), "input.safetensors");
    for (const auto& [name, t] : file.tensors) (void)t.sum();
  } catch (const dpg::model::FormatError& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::exception& e) {
    dpg::fuzz::undocumented(e);
  }
  return 0;
}
