// SPDX-License-Identifier: MIT
#include "core/model/model_config.h"

#include "core/model/errors.h"

#include <nlohmann/json.hpp>

namespace dpg::model {

std::string arch_name(Arch arch) {
  return arch == Arch::Gpt2 ? "gpt2" : "llama";
}

void ModelConfig::validate() const {
  auto need = [](bool ok, const char* field, const std::string& why) {
    if (!ok) throw ConfigError(std::string("model config: ") + field + " " + why);
  };
  need(vocab_size > 0, "vocab_size", "must be positive");
  need(n_layer > 0, "n_layer", "must be positive");
  need(n_head > 0, "n_head", "must be positive");
  need(d_model > 0 && d_model % n_head == 0, "d_model", "must be a positive multiple of n_head");
  need(n_kv_head > 0 && n_head % n_kv_head == 0, "n_kv_head", "must divide n_head");
  need(d_ff > 0, "d_ff", "must be positive");
  need(max_ctx > 0, "max_ctx", "must be positive");
  need(arch != Arch::Llama || head_dim() % 2 == 0, "head_dim", "must be even for RoPE");
  need(arch != Arch::Gpt2 || tied_head, "tied_head", "GPT-2 always ties its head");
}

nlohmann::json ModelConfig::to_hf_json() const {
  nlohmann::json j;
  if (arch == Arch::Gpt2) {
    j = {{"model_type", "gpt2"},
         {"architectures", {"GPT2LMHeadModel"}},
         {"vocab_size", vocab_size},
         {"n_layer", n_layer},
         {"n_head", n_head},
         {"n_embd", d_model},
         {"n_inner", d_ff},
         {"n_positions", max_ctx},
         {"layer_norm_epsilon", norm_eps},
         {"activation_function", "gelu_new"},
         {"tie_word_embeddings", true}};
  } else {
    j = {{"model_type", "llama"},
         {"architectures", {"LlamaForCausalLM"}},
         {"vocab_size", vocab_size},
         {"num_hidden_layers", n_layer},
         {"num_attention_heads", n_head},
         {"num_key_value_heads", n_kv_head},
         {"hidden_size", d_model},
         {"intermediate_size", d_ff},
         {"max_position_embeddings", max_ctx},
         {"rms_norm_eps", norm_eps},
         {"rope_theta", rope_theta},
         {"tie_word_embeddings", tied_head},
         {"hidden_act", "silu"}};
  }
  if (bos_id >= 0) j["bos_token_id"] = bos_id;
  if (eos_id >= 0) j["eos_token_id"] = eos_id;
  if (pad_id >= 0) j["pad_token_id"] = pad_id;
  return j;
}

ModelConfig ModelConfig::from_hf_json(const nlohmann::json& j) {
  ModelConfig c;
  auto num = [&](std::initializer_list<const char*> keys, int64_t fallback) -> int64_t {
    for (auto k : keys)
      if (j.contains(k) && j[k].is_number()) return j[k].get<int64_t>();
    return fallback;
  };
  const std::string type = j.value("model_type", "");
  if (type == "gpt2") {
    c.arch = Arch::Gpt2;
    c.d_model = num({"n_embd", "hidden_size"}, 0);
    c.n_layer = num({"n_layer", "num_hidden_layers"}, 0);
    c.n_head = num({"n_head", "num_attention_heads"}, 0);
    c.n_kv_head = c.n_head;
    c.d_ff = j.contains("n_inner") && j["n_inner"].is_number() ? j["n_inner"].get<int64_t>()
                                                               : 4 * c.d_model;
    c.max_ctx = num({"n_positions", "n_ctx"}, 1024);
    c.norm_eps = j.value("layer_norm_epsilon", 1e-5);
    c.tied_head = true;
  } else if (type == "llama") {
    c.arch = Arch::Llama;
    c.d_model = num({"hidden_size"}, 0);
    c.n_layer = num({"num_hidden_layers"}, 0);
    c.n_head = num({"num_attention_heads"}, 0);
    c.n_kv_head = num({"num_key_value_heads"}, c.n_head);
    c.d_ff = num({"intermediate_size"}, 0);
    c.max_ctx = num({"max_position_embeddings"}, 2048);
    c.norm_eps = j.value("rms_norm_eps", 1e-6);
    c.rope_theta = j.value("rope_theta", 10000.0);
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object())
      c.rope_theta = j["rope_parameters"].value("rope_theta", c.rope_theta);
    c.tied_head = j.value("tie_word_embeddings", false);
  } else {
    throw ConfigError("config.json: model_type '" + type + "' is not supported (gpt2, llama)");
  }
  c.vocab_size = num({"vocab_size"}, 0);
  c.bos_id = num({"bos_token_id"}, -1);
  c.eos_id = num({"eos_token_id"}, -1);
  c.pad_id = num({"pad_token_id"}, -1);
  c.validate();
  return c;
}

}  // namespace dpg::model
