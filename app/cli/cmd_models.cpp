// SPDX-License-Identifier: MIT
// dpg models inspect FILE | dpg generate ... | dpg tokenize ...
#include "app/cli/commands.h"

#include "core/model/bpe_tokenizer.h"
#include "core/model/byte_tokenizer.h"
#include "core/model/chat_template.h"
#include "core/model/errors.h"
#include "core/model/generate.h"
#include "core/model/gguf.h"
#include "core/model/model_io.h"
#include "core/model/tensor_map.h"
#include "core/resources/resources.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

namespace dpg::cli {
namespace {

namespace fs = std::filesystem;
using dpg::model::Tokenizer;

std::string with_commas(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
  return s;
}

// The tokenizer alone: GGUF metadata or tokenizer.json, without dequantising any weights.
std::shared_ptr<const Tokenizer> load_tokenizer(const std::string& name) {
  const std::string path =
      resources::resolve_model_path(name);  // a file, a bundled model or "smollm2"
  const fs::path p(path);
  if (p.extension() == ".gguf") return model::BpeTokenizer::from_gguf(model::GgufFile::open(path));
  const fs::path dir = fs::is_directory(p) ? p : p.parent_path();
  if (fs::exists(dir / "tokenizer.json"))
    return model::BpeTokenizer::from_tokenizer_json((dir / "tokenizer.json").string());
  return model::load_model(path).tokenizer;
}

void inspect(const std::string& name) {
  const std::string path = resources::resolve_model_path(name);
  const auto m = model::load_model(path);
  const auto& c = m.config;
  std::ostringstream o;
  o << "file:          " << path << "\n";
  o << "architecture:  " << model::arch_name(c.arch) << " (layers " << c.n_layer << ", d_model "
    << c.d_model << ", heads " << c.n_head << ", kv heads " << c.n_kv_head << ", d_ff " << c.d_ff
    << ", context " << c.max_ctx;
  if (c.arch == model::Arch::Llama) o << ", rope_theta " << c.rope_theta;
  o << ", norm_eps " << c.norm_eps << ", head " << (c.tied_head ? "tied" : "untied") << ")\n";
  o << "parameters:    " << with_commas(model::parameter_count(m.params)) << " in "
    << m.params.size() << " tensors\n";
  std::map<std::string, int> hist;
  for (const auto& [n, t] : m.tensor_types) hist[t]++;
  o << "tensor types: ";
  for (const auto& [t, k] : hist) o << " " << t << " x" << k;
  o << "\n";
  const auto& tok = *m.tokenizer;
  o << "vocabulary:    " << tok.vocab_size() << " tokens (" << tok.kind()
    << " tokenizer; model rows " << c.vocab_size << ")\n";
  o << "special:      ";
  for (const auto& s : tok.special_tokens()) o << " " << s << "=" << tok.special_id(s);
  o << "\n               bos " << tok.bos_id() << ", eos " << tok.eos_id() << ", pad "
    << tok.pad_id() << "\n";
  for (const auto& [k, v] : m.metadata) {
    if (k == "tokenizer.chat_template") continue;
    o << "metadata:      " << k << " = " << v << "\n";
  }
  std::cout << o.str();
}

struct GenerateArgs {
  std::string model, prompt, system;
  bool chat = false;
  int64_t max_new = 128, batch = 1, threads = 0;
  double temperature = 0.7, top_p = 0.9;
  uint64_t seed = 0;
};

void run_generate(const GenerateArgs& a) {
  if (a.threads > 0) torch::set_num_threads(int(a.threads));
  const auto m = model::load_model(resources::resolve_model_path(a.model));
  const std::string prompt = a.chat ? model::chat_prompt(a.prompt, a.system) : a.prompt;
  model::GenerateOptions o;
  o.max_new_tokens = a.max_new;
  o.temperature = a.temperature;
  o.top_p = a.top_p;
  o.seed = a.seed;
  const auto res = model::generate_text(
      m.config, m.params, *m.tokenizer,
      std::vector<std::string>(size_t(std::max<int64_t>(1, a.batch)), prompt), o);
  for (size_t r = 0; r < res.texts.size(); ++r) {
    if (res.texts.size() > 1) std::cout << "[" << r << "] ";
    std::cout << res.texts[r] << "\n";
  }
  std::cerr << "dpg: " << res.new_tokens << " tokens in " << res.seconds << " s ("
            << double(res.new_tokens) / std::max(1e-9, res.seconds) << " tok/s)\n";
}

/// Ids of one --decode line: a JSON array of ids inside the vocabulary.
std::vector<int64_t> decode_ids(const std::string& line, int64_t line_no, int64_t vocab) {
  const std::string where = "tokenize --decode, line " + std::to_string(line_no) + ": ";
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    throw model::ConfigError(where + "not a JSON array of ids");
  std::vector<int64_t> ids;
  for (const auto& v : j) {
    if (!v.is_number_integer())
      throw model::ConfigError(where + "not an integer id: " + v.dump().substr(0, 40));
    const int64_t id = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)
                           ? INT64_MAX
                           : v.get<int64_t>();
    if (id < 0 || id >= vocab)
      throw model::ConfigError(where + "id " + v.dump() + " is outside the vocabulary (0 to " +
                               std::to_string(vocab - 1) + ")");
    ids.push_back(id);
  }
  return ids;
}

/// The bytes of @p line that @p tok has no token for (encode drops them, as HF does), as
/// "0x04 0xF1"; empty when there are none.
std::string dropped_bytes(const Tokenizer& tok, const std::string& line) {
  const auto* bpe = dynamic_cast<const model::BpeTokenizer*>(&tok);
  if (!bpe) return {};
  bool seen[256] = {};
  std::string out;
  for (const char c : line) {
    const auto b = static_cast<uint8_t>(c);
    if (seen[b] || !bpe->drops_byte(b)) continue;
    seen[b] = true;
    char hex[8];
    std::snprintf(hex, sizeof hex, "%s0x%02X", out.empty() ? "" : " ", unsigned(b));
    out += hex;
  }
  return out;
}

void run_tokenize(const std::string& path, bool decode, bool special) {
  const auto tok = load_tokenizer(path);
  std::string line;
  for (int64_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    if (decode) {
      std::cout << tok->decode(decode_ids(line, line_no, tok->vocab_size())) << "\n";
      continue;
    }
    if (const auto bytes = dropped_bytes(*tok, line); !bytes.empty())
      std::cerr << "dpg: warning: line " << line_no << ": no token for the bytes " << bytes
                << "; they are dropped, as in HF (docs/models.md)\n";
    std::cout << nlohmann::json(tok->encode(line, special)).dump() << "\n";
  }
}

}  // namespace

void add_models_commands(CLI::App& app) {
  auto* models = app.add_subcommand("models", "Inspect model files");
  models->require_subcommand(1);
  auto* insp =
      models->add_subcommand("inspect", "Architecture, parameter count, tensor types, vocabulary");
  static std::string inspect_path;
  insp->add_option("file", inspect_path, "GGUF file, safetensors file or model directory")
      ->required();
  insp->callback([] { inspect(inspect_path); });

  static GenerateArgs g;
  auto* gen = app.add_subcommand("generate", "Sample text from a model");
  gen->add_option("--model", g.model, "GGUF file, safetensors file or model directory")->required();
  gen->add_option("--prompt", g.prompt, "Prompt text")->required();
  gen->add_flag("--chat", g.chat, "Wrap the prompt in the model's chat template (SmolLM2 ChatML)");
  gen->add_option("--system", g.system, "System prompt for --chat (default: SmolLM2's)");
  gen->add_option("--max-new", g.max_new, "Maximum new tokens")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  gen->add_option("--temperature", g.temperature, "Sampling temperature (0: greedy)")
      ->check(CLI::Range(0.0, 100.0));
  gen->add_option("--top-p", g.top_p, "Nucleus sampling mass")->check(CLI::Range(0.0, 1.0));
  gen->add_option("--seed", g.seed, "Random seed");
  gen->add_option("--batch", g.batch, "Rows sampled in one batch")
      ->check(CLI::Range(int64_t(1), int64_t(4096)));
  gen->add_option("--threads", g.threads, "Intra-op threads (default: LibTorch's)");
  gen->callback([] { run_generate(g); });

  static std::string tok_path;
  static bool tok_decode = false, tok_special = false;
  auto* tk =
      app.add_subcommand("tokenize", "stdin lines -> JSON arrays of ids (--decode: the reverse)");
  tk->add_option("--model", tok_path, "GGUF file, tokenizer.json directory or model directory")
      ->required();
  tk->add_flag("--decode", tok_decode, "Read JSON arrays of ids, write text");
  tk->add_flag("--special", tok_special,
               "Parse special-token strings such as <|im_start|> in the input");
  tk->callback([] { run_tokenize(tok_path, tok_decode, tok_special); });
}

}  // namespace dpg::cli
