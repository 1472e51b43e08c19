// SPDX-License-Identifier: MIT
// TEMPORARY placeholder until the GGUF loader lands (being written in parallel).
#include "core/model/gguf_model.h"
#include "core/model/errors.h"
namespace dpg::model {
LoadedModel load_gguf_model(const std::string& path) { throw FormatError(path, -1, "GGUF loading not built yet"); }
}  // namespace dpg::model
