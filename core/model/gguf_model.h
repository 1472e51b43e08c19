// SPDX-License-Identifier: MIT
#pragma once
/// @file Loads a Llama or GPT-2 model from a GGUF v3 file (dequantised to float32).
#include "core/model/model_io.h"

namespace dpg::model {

/// Config from GGUF metadata, tensors dequantised to float32 with llama.cpp's Q/K permutation
/// undone, and the BPE tokenizer from tokenizer.ggml.*. Throws FormatError on any problem.
LoadedModel load_gguf_model(const std::string& path);

}  // namespace dpg::model
