// SPDX-License-Identifier: MIT
#include "core/model/model_io.h"

#include "core/model/bpe_tokenizer.h"
#include "core/model/byte_tokenizer.h"
#include "core/model/errors.h"
#include "core/model/file_util.h"
#include "core/model/gguf_model.h"
#include "core/model/safetensors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace dpg::model {
namespace fs = std::filesystem;
namespace {

std::string type_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32:
      return "F32";
    case torch::kFloat64:
      return "F64";
    case torch::kFloat16:
      return "F16";
    case torch::kBFloat16:
      return "BF16";
    default:
      return c10::toString(t);
  }
}

// HF GPT-2 checkpoints prefix names with "transformer." and may carry causal-mask buffers.
TensorMap normalise_names(const ModelConfig& cfg, TensorMap in) {
  TensorMap out;
  for (auto& [name, t] : in) {
    std::string n = name;
    if (cfg.arch == Arch::Gpt2) {
      if (n.starts_with("transformer.")) n = n.substr(12);
      if (n.ends_with(".attn.bias") || n.ends_with(".attn.masked_bias") || n == "lm_head.weight")
        continue;
    } else if (cfg.tied_head && n == "lm_head.weight") {
      continue;
    }
    out[n] = t;
  }
  return out;
}

LoadedModel load_safetensors_model(const fs::path& weights, const fs::path& dir) {
  const fs::path cfg_path = dir / "config.json";
  if (!fs::exists(cfg_path)) {
    throw FormatError(weights.string(), -1,
                      "no config.json beside it (expected " + cfg_path.string() + ")");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file_bytes(cfg_path.string()));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(cfg_path.string(), -1, std::string("not valid JSON: ") + e.what());
  }
  LoadedModel m;
  try {
    m.config = ModelConfig::from_hf_json(j);
  } catch (const ConfigError& e) {
    throw FormatError(cfg_path.string(), -1, e.what());
  }
  auto file = read_safetensors(weights.string());
  for (const auto& [n, t] : file.tensors) m.tensor_types[n] = type_name(t.scalar_type());
  m.params = normalise_names(m.config, std::move(file.tensors));
  m.metadata = file.metadata;
  const std::string tok_kind = j.value("dpg_tokenizer", "");
  if (tok_kind == "byte") {
    m.tokenizer = std::make_shared<ByteTokenizer>();
  } else if (fs::exists(dir / "tokenizer.json")) {
    m.tokenizer = BpeTokenizer::from_tokenizer_json((dir / "tokenizer.json").string());
  } else {
    throw FormatError(
        cfg_path.string(), -1,
        "no tokenizer: set \"dpg_tokenizer\": \"byte\" or put tokenizer.json beside it");
  }
  if (j.contains("dpg_metadata") && j["dpg_metadata"].is_object())
    for (auto& [k, v] : j["dpg_metadata"].items())
      m.metadata[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return m;
}

}  // namespace

LoadedModel load_model(const std::string& path, torch::ScalarType dtype) {
  const fs::path p(path);
  if (!fs::exists(p)) throw FormatError(path, -1, "no such file or directory");
  LoadedModel m;
  if (fs::is_directory(p)) {
    m = load_safetensors_model(p / "model.safetensors", p);
  } else if (p.extension() == ".gguf") {
    m = load_gguf_model(path);
  } else if (p.extension() == ".safetensors") {
    m = load_safetensors_model(p, p.parent_path());
  } else {
    throw FormatError(path, -1,
                      "unknown model format (expected .gguf, .safetensors, or a directory)");
  }
  m.source = path;
  check_params(m.config, m.params, path);
  if (m.tokenizer && m.tokenizer->vocab_size() > m.config.vocab_size) {
    throw FormatError(path, -1,
                      "tokenizer has " + std::to_string(m.tokenizer->vocab_size()) +
                          " tokens but the model only " + std::to_string(m.config.vocab_size));
  }
  for (auto& [n, t] : m.params) t = t.to(dtype).contiguous();
  return m;
}

void save_model(const std::string& dir, const LoadedModel& model) {
  fs::create_directories(dir);
  auto j = model.config.to_hf_json();
  if (model.tokenizer && model.tokenizer->kind() == "byte") j["dpg_tokenizer"] = "byte";
  if (!model.metadata.empty()) j["dpg_metadata"] = model.metadata;
  write_safetensors((fs::path(dir) / "model.safetensors").string(), model.params);
  write_file_atomic((fs::path(dir) / "config.json").string(), j.dump(2) + "\n");
}

}  // namespace dpg::model
