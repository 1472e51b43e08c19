// SPDX-License-Identifier: MIT
#include "core/model/gguf_model.h"

#include "core/model/bpe_tokenizer.h"
#include "core/model/errors.h"
#include "core/model/gguf.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <optional>
#include <regex>

namespace dpg::model {
namespace {

// Where a GGUF tensor goes: its HF name and how its data must be rearranged.
struct Target {
  std::string name;
  enum class Fix { None, UnpermuteQ, UnpermuteK, Transpose, Drop } fix = Fix::None;
};

// llama.cpp's names -> ours, per architecture. nullopt for names we do not know.
std::optional<Target> map_name(Arch arch, const std::string& g) {
  using F = Target::Fix;
  static const std::regex blk(R"(blk\.(\d+)\.(.+))");
  std::smatch m;
  if (arch == Arch::Llama) {
    if (g == "token_embd.weight") return Target{"model.embed_tokens.weight"};
    if (g == "output_norm.weight") return Target{"model.norm.weight"};
    if (g == "output.weight") return Target{"lm_head.weight"};
    if (!std::regex_match(g, m, blk)) return std::nullopt;
    const std::string l = "model.layers." + m[1].str() + ".", rest = m[2].str();
    if (rest == "attn_norm.weight") return Target{l + "input_layernorm.weight"};
    if (rest == "attn_q.weight") return Target{l + "self_attn.q_proj.weight", F::UnpermuteQ};
    if (rest == "attn_k.weight") return Target{l + "self_attn.k_proj.weight", F::UnpermuteK};
    if (rest == "attn_v.weight") return Target{l + "self_attn.v_proj.weight"};
    if (rest == "attn_output.weight") return Target{l + "self_attn.o_proj.weight"};
    if (rest == "ffn_norm.weight") return Target{l + "post_attention_layernorm.weight"};
    if (rest == "ffn_gate.weight") return Target{l + "mlp.gate_proj.weight"};
    if (rest == "ffn_up.weight") return Target{l + "mlp.up_proj.weight"};
    if (rest == "ffn_down.weight") return Target{l + "mlp.down_proj.weight"};
    return std::nullopt;
  }
  // GPT-2: llama.cpp stores the Conv1D weights transposed ([out, in]); HF keeps [in, out].
  if (g == "token_embd.weight") return Target{"wte.weight"};
  if (g == "position_embd.weight") return Target{"wpe.weight"};
  if (g == "output_norm.weight") return Target{"ln_f.weight"};
  if (g == "output_norm.bias") return Target{"ln_f.bias"};
  if (g == "output.weight") return Target{"", F::Drop};  // a copy of token_embd (tied head)
  if (!std::regex_match(g, m, blk)) return std::nullopt;
  const std::string h = "h." + m[1].str() + ".", rest = m[2].str();
  static const std::pair<const char*, const char*> kMap[] = {
      {"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
      {"ffn_norm", "ln_2"},  {"ffn_up", "mlp.c_fc"},      {"ffn_down", "mlp.c_proj"}};
  for (auto [from, to] : kMap) {
    const std::string f = from;
    if (rest == f + ".bias") return Target{h + to + ".bias"};
    if (rest == f + ".weight") {
      const bool linear = f != "attn_norm" && f != "ffn_norm";
      return Target{h + to + ".weight", linear ? F::Transpose : F::None};
    }
  }
  return std::nullopt;
}

// Undoes llama.cpp's convert_hf_to_gguf permute(): rows were reordered per head from HF's
// rotate_half layout [first halves | second halves] to interleaved pairs.
torch::Tensor unpermute(const torch::Tensor& w, int64_t heads) {
  const int64_t rows = w.size(0), cols = w.size(1);
  return w.reshape({heads, rows / heads / 2, 2, cols})
      .transpose(1, 2)
      .reshape({rows, cols})
      .contiguous();
}

ModelConfig read_config(const GgufFile& f, Arch arch) {
  ModelConfig c;
  c.arch = arch;
  const std::string a = arch_name(arch) + ".";
  c.n_layer = f.get_int(a + "block_count");
  c.d_model = f.get_int(a + "embedding_length");
  c.d_ff = f.get_int(a + "feed_forward_length");
  c.n_head = f.get_int(a + "attention.head_count");
  c.max_ctx = f.get_int(a + "context_length");
  if (arch == Arch::Llama) {
    c.n_kv_head = f.get_int(a + "attention.head_count_kv", c.n_head);
    c.norm_eps = f.get_float(a + "attention.layer_norm_rms_epsilon");
    c.rope_theta = f.get_float(a + "rope.freq_base", 10000.0);
    c.tied_head = f.find_tensor("output.weight") == nullptr;
    if (c.n_head > 0 && c.d_model % c.n_head == 0) {
      const int64_t rot = f.get_int(a + "rope.dimension_count", c.d_model / c.n_head);
      if (rot != c.d_model / c.n_head) {
        throw FormatError(f.path(), f.key_offset(a + "rope.dimension_count"),
                          "partial rotary embeddings (rope.dimension_count " + std::to_string(rot) +
                              " != head dim) are not supported");
      }
    }
    const std::string scaling = f.get_string(a + "rope.scaling.type", "none");
    if (scaling != "none") {
      throw FormatError(f.path(), f.key_offset(a + "rope.scaling.type"),
                        "RoPE scaling '" + scaling + "' is not supported");
    }
  } else {
    c.n_kv_head = c.n_head;
    c.norm_eps = f.get_float(a + "attention.layer_norm_epsilon");
    c.tied_head = true;
  }
  const auto* embd = f.find_tensor("token_embd.weight");
  if (!embd || embd->ne.size() != 2) {
    throw FormatError(f.path(), embd ? embd->info_offset : -1,
                      "token_embd.weight missing or not 2-D");
  }
  c.vocab_size = f.get_int(a + "vocab_size", embd->ne[1]);
  c.bos_id = f.get_int("tokenizer.ggml.bos_token_id", -1);
  c.eos_id = f.get_int("tokenizer.ggml.eos_token_id", -1);
  c.pad_id = f.get_int("tokenizer.ggml.padding_token_id", c.eos_id);
  try {
    c.validate();
  } catch (const ConfigError& e) {
    throw FormatError(f.path(), f.key_offset(a + "block_count"), e.what());
  }
  return c;
}

using Origins = std::map<std::string, const GgufTensorInfo*>;

// Each GGUF tensor under our name, dequantized and laid out as our forward expects (llama.cpp's
// Q/K row permutation undone, GPT-2's Conv1D matrices transposed); records where each came from.
void read_tensors(const GgufFile& f, const std::string& arch, LoadedModel& m, Origins& origin) {
  const ModelConfig& c = m.config;
  for (const GgufTensorInfo& t : f.tensors()) {
    const auto target = map_name(c.arch, t.name);
    if (!target) {
      throw FormatError(f.path(), t.info_offset,
                        "unexpected tensor '" + t.name + "' for architecture " + arch);
    }
    using F = Target::Fix;
    if (target->fix == F::Drop) continue;
    if (t.ne.size() > 2) {
      throw FormatError(f.path(), t.info_offset,
                        "tensor '" + t.name + "' has more than 2 dimensions");
    }
    torch::Tensor w = f.dequantize(t);
    const bool is_matrix = w.dim() == 2;
    if ((target->fix == F::UnpermuteQ || target->fix == F::UnpermuteK) && is_matrix) {
      const int64_t heads = target->fix == F::UnpermuteQ ? c.n_head : c.n_kv_head;
      if (w.size(0) % (2 * heads) != 0) {
        throw FormatError(f.path(), t.info_offset,
                          "tensor '" + t.name + "' rows " + std::to_string(w.size(0)) +
                              " do not split into " + std::to_string(heads) + " heads");
      }
      w = unpermute(w, heads);
    } else if (target->fix == F::Transpose && is_matrix) {
      w = w.t().contiguous();
    }
    m.params[target->name] = w;
    m.tensor_types[target->name] = t.type_name();
    origin[target->name] = &t;
  }
}

// Every tensor the config requires is there with its shape, and no other; errors carry the GGUF
// record offset of the first offender.
void check_shapes(const GgufFile& f, const std::string& arch, const LoadedModel& m,
                  const Origins& origin) {
  const ModelConfig& c = m.config;
  const auto shapes = expected_shapes(c);
  for (const auto& [name, shape] : shapes) {
    auto it = m.params.find(name);
    if (it == m.params.end()) {
      throw FormatError(f.path(), f.key_offset(arch + ".block_count"),
                        "tensor for '" + name + "' is missing but the metadata requires it");
    }
    if (it->second.sizes().vec() != shape) {
      const GgufTensorInfo* t = origin.at(name);
      throw FormatError(f.path(), t->info_offset,
                        "tensor '" + t->name + "' has shape " + c10::str(it->second.sizes()) +
                            " but the metadata implies " + c10::str(at::IntArrayRef(shape)));
    }
  }
  if (m.params.size() == shapes.size()) return;
  for (const auto& [name, t] : m.params) {
    bool known = false;
    for (const auto& s : shapes) known = known || s.first == name;
    if (!known) {
      throw FormatError(f.path(), origin.at(name)->info_offset,
                        "tensor '" + origin.at(name)->name + "' is not used by a " +
                            std::to_string(c.n_layer) + "-layer model");
    }
  }
}

// The descriptive metadata shown by `dpg models` and stored with a run.
void read_descriptive_metadata(const GgufFile& f, LoadedModel& m) {
  for (const char* key :
       {"general.name", "general.architecture", "general.basename", "general.size_label",
        "general.license", "tokenizer.ggml.pre", "tokenizer.chat_template"}) {
    if (const GgufValue* v = f.find(key); v && v->type == GgufType::String) m.metadata[key] = v->s;
  }
  if (const GgufValue* v = f.find("general.file_type"); v && v->is_integer())
    m.metadata["general.file_type"] = std::to_string(v->i);
  m.metadata["gguf.version"] = std::to_string(f.version());
}

}  // namespace

LoadedModel load_gguf_model(const std::string& path) {
  const GgufFile f = GgufFile::open(path);
  const std::string arch = f.get_string("general.architecture");
  if (arch != "llama" && arch != "gpt2") {
    throw FormatError(path, f.key_offset("general.architecture"),
                      "architecture '" + arch + "' is not supported (llama, gpt2)");
  }
  LoadedModel m;
  m.config = read_config(f, arch == "llama" ? Arch::Llama : Arch::Gpt2);
  Origins origin;
  read_tensors(f, arch, m, origin);
  check_shapes(f, arch, m, origin);
  m.tokenizer = BpeTokenizer::from_gguf(f);
  read_descriptive_metadata(f, m);
  return m;
}

}  // namespace dpg::model
