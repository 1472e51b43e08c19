// SPDX-License-Identifier: MIT
#include "plugins/objectives/text_likelihood/text_likelihood.h"

#include "core/model/transformer.h"
#include "core/resources/resources.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace dpg::objective {
namespace {
constexpr const char* kTextKind = "text_likelihood";
}

const std::vector<ParamSpec>& TextLikelihoodObjective::parameters() {
  static const std::vector<ParamSpec> specs = {
      {"text", "string", "", "one reference text, e.g. a UUID"},
      {"file", "string", "", "reference texts, one a line (path or bundled resource)"},
      {"ids", "int[][]", nlohmann::json::array(),
       "the references tokenised with the target's tokenizer (filled from text or file "
       "when the objective is created for a target)"},
      {"seq_len", "int", 0, "L, the loss divisor (the run's target.seq_len; filled likewise)"},
      {"add_bos", "bool", true, "start each reference with the tokenizer's BOS token"},
  };
  return specs;
}

std::unique_ptr<TextLikelihoodObjective> TextLikelihoodObjective::create(
    const nlohmann::json& raw) {
  const auto p = checked_params(kTextKind, parameters(), raw);
  if (p["ids"].empty()) {
    if (!p["text"].get<std::string>().empty() || !p["file"].get<std::string>().empty())
      param_error(kTextKind, "ids",
                  "missing: tokenise \"text\"/\"file\" with the target's tokenizer first "
                  "(create the objective for a target: dpg::plugin::TargetContext)");
    param_error(kTextKind, "text",
                "give a reference text (\"text\"), a file of them (\"file\"), or "
                "token ids (\"ids\")");
  }
  const int64_t seq_len = p["seq_len"];
  if (seq_len < 1)
    param_error(kTextKind, "seq_len", "must be at least 1 (the run's target.seq_len)");
  auto refs = p["ids"].get<std::vector<std::vector<int64_t>>>();
  for (size_t i = 0; i < refs.size(); ++i) {
    if (refs[i].size() < 2)
      param_error(
          kTextKind, "ids",
          "reference " + std::to_string(i) + " has fewer than 2 tokens, so nothing to predict");
    for (int64_t id : refs[i])
      if (id < 0)
        param_error(kTextKind, "ids", "negative token id in reference " + std::to_string(i));
  }
  return std::make_unique<TextLikelihoodObjective>(std::move(refs), seq_len);
}

TextLikelihoodObjective::TextLikelihoodObjective(std::vector<std::vector<int64_t>> references,
                                                 int64_t seq_len)
    : references_(std::move(references)), seq_len_(seq_len) {
  if (references_.empty()) throw std::invalid_argument("text_likelihood: no references");
  size_t longest = 0;
  for (const auto& r : references_) {
    if (r.size() < 2) throw std::invalid_argument("text_likelihood: a reference has < 2 tokens");
    longest = std::max(longest, r.size());
  }
  const int64_t n = int64_t(references_.size()), len = int64_t(longest) - 1;
  inputs_ = torch::zeros({n, len}, torch::kInt64);
  targets_ = torch::zeros({n, len}, torch::kInt64);
  mask_ = torch::zeros({n, len}, torch::kFloat64);
  auto in = inputs_.accessor<int64_t, 2>();
  auto out = targets_.accessor<int64_t, 2>();
  auto m = mask_.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& r = references_[size_t(i)];
    for (size_t t = 0; t + 1 < r.size(); ++t) {
      in[i][int64_t(t)] = r[t];
      out[i][int64_t(t)] = r[t + 1];
      m[i][int64_t(t)] = 1.0;
      ++token_count_;
    }
  }
}

void TextLikelihoodObjective::check_compatible(const model::ModelConfig& target) const {
  for (size_t i = 0; i < references_.size(); ++i) {
    const auto& r = references_[i];
    const int64_t top = *std::max_element(r.begin(), r.end());
    if (top >= target.vocab_size)
      throw std::invalid_argument("reference " + std::to_string(i) + " has token id " +
                                  std::to_string(top) + "; this target's vocabulary has " +
                                  std::to_string(target.vocab_size) +
                                  " tokens (tokenise with the target's tokenizer)");
    if (int64_t(r.size()) - 1 > target.max_ctx)
      throw std::invalid_argument("reference " + std::to_string(i) + " has " +
                                  std::to_string(r.size()) + " tokens; this target's context is " +
                                  std::to_string(target.max_ctx));
  }
}

torch::Tensor TextLikelihoodObjective::summed_losses(const model::ModelConfig& target,
                                                     const model::TensorMap& params) const {
  const auto& any = params.begin()->second;
  const auto device = any.device();
  const auto logits = model::forward(target, params, inputs_.to(device));  // [N, L, V]
  const auto logp = torch::log_softmax(logits, -1);
  const auto picked = logp.gather(-1, targets_.to(device).unsqueeze(-1)).squeeze(-1);
  return -(picked * mask_.to(device, picked.scalar_type())).sum(1);
}

torch::Tensor TextLikelihoodObjective::Phi(const model::ModelConfig& target,
                                           const model::TensorMap& params_T,
                                           const model::TensorMap&) const {
  check_compatible(target);
  return -(summed_losses(target, params_T) / double(seq_len_)).mean();
}

engine::ObjectiveView TextLikelihoodObjective::view(const model::ModelConfig& target,
                                                    const model::TensorMap& params_T,
                                                    const model::TensorMap&) const {
  torch::NoGradGuard no_grad;
  check_compatible(target);
  engine::ObjectiveView v;
  v.metric = summed_losses(target, params_T).sum().item<double>() / double(token_count_);
  return v;
}

nlohmann::json prepare_text_likelihood_params(const nlohmann::json& raw,
                                              const model::Tokenizer& tokenizer, int64_t seq_len) {
  auto p = checked_params(kTextKind, TextLikelihoodObjective::parameters(), raw);
  if (!p["ids"].empty()) return raw;
  if (seq_len < 2) param_error(kTextKind, "seq_len", "must be at least 2 tokens");
  std::vector<std::string> texts;
  const std::string text = p["text"], file = p["file"];
  if (!text.empty() && !file.empty())
    param_error(kTextKind, "text", "give either \"text\" or \"file\", not both");
  if (!text.empty()) {
    texts.push_back(text);
  } else if (!file.empty()) {
    std::string path = file;
    if (!std::filesystem::exists(path))
      if (auto found = resources::find_resource(path)) path = *found;
    std::ifstream in(path);
    if (!in) param_error(kTextKind, "file", "cannot read '" + file + "'");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) texts.push_back(line);
    }
    if (texts.empty()) param_error(kTextKind, "file", "'" + file + "' has no non-empty lines");
  } else {
    param_error(kTextKind, "text", "give a reference text (\"text\") or a file of them (\"file\")");
  }
  nlohmann::json ids = nlohmann::json::array();
  const bool bos = p["add_bos"].get<bool>() && tokenizer.bos_id() >= 0;
  for (const auto& t : texts) {
    std::vector<int64_t> seq;
    if (bos) seq.push_back(tokenizer.bos_id());
    const auto enc = tokenizer.encode(t);
    seq.insert(seq.end(), enc.begin(), enc.end());
    if (int64_t(seq.size()) > seq_len) seq.resize(size_t(seq_len));
    ids.push_back(seq);
  }
  nlohmann::json out = raw.is_object() ? raw : nlohmann::json::object();
  out["ids"] = ids;
  out["seq_len"] = seq_len;
  return out;
}

}  // namespace dpg::objective
