// SPDX-License-Identifier: MIT
#pragma once
/// @file One entry point to load any model file: a GGUF file, a safetensors file with config.json
/// beside it, or a directory holding model.safetensors and config.json (and tokenizer.json).
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"
#include "core/model/tokenizer.h"

#include <map>
#include <memory>
#include <string>

namespace dpg::model {

struct LoadedModel {
  ModelConfig config;
  TensorMap params;
  std::shared_ptr<const Tokenizer> tokenizer;
  std::string source;                               ///< the path it came from
  std::map<std::string, std::string> tensor_types;  ///< name -> stored type ("Q4_1", "F32", ...)
  std::map<std::string, std::string> metadata;  ///< free-form (training command, data hash, ...)
};

/// Loads weights as @p dtype. Throws FormatError / ConfigError naming the file and the reason.
LoadedModel load_model(const std::string& path, torch::ScalarType dtype = torch::kFloat32);
/// Writes @p dir/model.safetensors and @p dir/config.json (HF layout; "dpg_tokenizer" names a byte
/// tokenizer). Both files are written atomically.
void save_model(const std::string& dir, const LoadedModel& model);

}  // namespace dpg::model
