// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_norm/lmhead_norm.h"

#include "core/model/transformer.h"

#include <algorithm>
#include <stdexcept>

namespace dpg::objective {
namespace {
constexpr const char* kNormKind = "lmhead_norm";
}

const std::vector<ParamSpec>& LmHeadNormObjective::parameters() {
  static const std::vector<ParamSpec> specs = {
      {"token_offset", "int", 0, "view: first token id of the heatmap patch"},
      {"dim_offset", "int", 0, "view: first hidden dimension of the heatmap patch"},
      {"view_rows", "int", 32, "view: hidden dimensions shown (clipped to the model)"},
      {"view_cols", "int", 32, "view: token ids shown (clipped to the model)"},
  };
  return specs;
}

std::unique_ptr<LmHeadNormObjective> LmHeadNormObjective::create(const nlohmann::json& raw) {
  const auto p = checked_params(kNormKind, parameters(), raw);
  Options o;
  o.token_offset = p["token_offset"];
  o.dim_offset = p["dim_offset"];
  o.view_rows = p["view_rows"];
  o.view_cols = p["view_cols"];
  if (o.token_offset < 0) param_error(kNormKind, "token_offset", "must not be negative");
  if (o.dim_offset < 0) param_error(kNormKind, "dim_offset", "must not be negative");
  if (o.view_rows < 1) param_error(kNormKind, "view_rows", "must be at least 1");
  if (o.view_cols < 1) param_error(kNormKind, "view_cols", "must be at least 1");
  return std::make_unique<LmHeadNormObjective>(o);
}

void LmHeadNormObjective::check_compatible(const model::ModelConfig& target) const {
  if (options_.dim_offset >= target.d_model)
    throw std::invalid_argument("view patch starts at hidden dim " +
                                std::to_string(options_.dim_offset) + "; this target has " +
                                std::to_string(target.d_model));
  if (options_.token_offset >= target.vocab_size)
    throw std::invalid_argument(
        "view patch starts at token id " + std::to_string(options_.token_offset) +
        "; this target's vocabulary has " + std::to_string(target.vocab_size) + " tokens");
}

torch::Tensor LmHeadNormObjective::Phi(const model::ModelConfig& target,
                                       const model::TensorMap& params_T,
                                       const model::TensorMap&) const {
  return -model::lm_head_weight(target, params_T).norm();
}

engine::ObjectiveView LmHeadNormObjective::view(const model::ModelConfig& target,
                                                const model::TensorMap& params_T,
                                                const model::TensorMap& params_0) const {
  torch::NoGradGuard no_grad;
  check_compatible(target);
  const auto w_t = model::lm_head_weight(target, params_T);
  const auto w_0 = model::lm_head_weight(target, params_0);
  const int64_t rows = std::min(options_.view_rows, target.d_model - options_.dim_offset);
  const int64_t cols = std::min(options_.view_cols, target.vocab_size - options_.token_offset);
  auto patch = [&](const torch::Tensor& w) {
    return w.narrow(0, options_.token_offset, cols).narrow(1, options_.dim_offset, rows).t();
  };
  const auto delta = (patch(w_t) - patch(w_0)).to(torch::kCPU, torch::kFloat32).contiguous();
  engine::ObjectiveView v;
  v.metric = w_t.to(torch::kFloat64).norm().item<double>();
  v.delta.rows = rows;
  v.delta.cols = cols;
  v.delta.data.assign(delta.data_ptr<float>(), delta.data_ptr<float>() + delta.numel());
  return v;
}

}  // namespace dpg::objective
