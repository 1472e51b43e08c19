// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_row_norms/lmhead_row_norms.h"

#include "core/model/transformer.h"

#include <cmath>
#include <stdexcept>

namespace dpg::objective {
namespace {

constexpr const char* kRowNormsKind = "lmhead_row_norms";

/// A 1 × n image of @p values (row 0, column j = bar j).
engine::Image bar_image(const torch::Tensor& values) {
  const auto c = values.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  engine::Image img;
  img.rows = 1;
  img.cols = c.numel();
  img.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return img;
}

}  // namespace

const std::vector<ParamSpec>& LmHeadRowNormsObjective::parameters() {
  static const std::vector<ParamSpec> specs = {
      {"bars", "string", "+-+-+-+-",
       "one character a bar: '+' grows the row's norm, '-' shrinks it"},
      {"token_offset", "int", 33, "token id of the first bar's LM-head row"},
      {"sharpness", "number", 20.0, "s in phi = -mean(softplus(-s * Y * delta norm))"},
  };
  return specs;
}

std::unique_ptr<LmHeadRowNormsObjective> LmHeadRowNormsObjective::create(
    const nlohmann::json& raw) {
  const auto p = checked_params(kRowNormsKind, parameters(), raw);
  Options o;
  for (char c : p["bars"].get<std::string>()) {
    if (c != '+' && c != '-')
      param_error(kRowNormsKind, "bars", std::string("'") + c + "' is not '+' or '-'");
    o.bars.push_back(c == '+' ? 1 : -1);
  }
  if (o.bars.empty()) param_error(kRowNormsKind, "bars", "give at least one bar, e.g. \"+-\"");
  o.token_offset = p["token_offset"];
  o.sharpness = p["sharpness"];
  if (o.token_offset < 0) param_error(kRowNormsKind, "token_offset", "must not be negative");
  if (!(std::isfinite(o.sharpness) && o.sharpness > 0))
    param_error(kRowNormsKind, "sharpness", "must be a positive number");
  return std::make_unique<LmHeadRowNormsObjective>(std::move(o));
}

LmHeadRowNormsObjective::LmHeadRowNormsObjective(Options options) : options_(std::move(options)) {
  if (options_.bars.empty()) throw std::invalid_argument("lmhead_row_norms: no bars");
  y_ = torch::tensor(std::vector<double>(options_.bars.begin(), options_.bars.end()),
                     torch::kFloat64);
}

void LmHeadRowNormsObjective::check_compatible(const model::ModelConfig& target) const {
  const int64_t last = options_.token_offset + int64_t(options_.bars.size()) - 1;
  if (last >= target.vocab_size)
    throw std::invalid_argument("bars need token ids " + std::to_string(options_.token_offset) +
                                ".." + std::to_string(last) + "; this target's vocabulary has " +
                                std::to_string(target.vocab_size) + " tokens");
}

torch::Tensor LmHeadRowNormsObjective::norm_change(const model::ModelConfig& target,
                                                   const model::TensorMap& params_T,
                                                   const model::TensorMap& params_0) const {
  const int64_t n = int64_t(options_.bars.size());
  const auto rows_T = model::lm_head_weight(target, params_T).narrow(0, options_.token_offset, n);
  const auto rows_0 = model::lm_head_weight(target, params_0).narrow(0, options_.token_offset, n);
  return rows_T.norm(2, {1}) - rows_0.detach().norm(2, {1});  // Δ_j = ‖row_j(W_T)‖ − ‖row_j(W_0)‖
}

torch::Tensor LmHeadRowNormsObjective::Phi(const model::ModelConfig& target,
                                           const model::TensorMap& params_T,
                                           const model::TensorMap& params_0) const {
  check_compatible(target);
  const auto delta = norm_change(target, params_T, params_0);
  const auto y = y_.to(delta.device(), delta.scalar_type());
  // Φ = −mean_j softplus(−s · Y_j · Δ_j)
  return -torch::softplus(-options_.sharpness * y * delta).mean();
}

engine::ObjectiveView LmHeadRowNormsObjective::view(const model::ModelConfig& target,
                                                    const model::TensorMap& params_T,
                                                    const model::TensorMap& params_0) const {
  torch::NoGradGuard no_grad;
  check_compatible(target);
  const auto delta = norm_change(target, params_T, params_0).to(torch::kCPU, torch::kFloat64);
  engine::ObjectiveView v;
  v.metric = torch::sign(delta).eq(y_).to(torch::kFloat64).mean().item<double>();
  v.target = bar_image(y_);
  v.sign = bar_image(torch::sign(delta));
  v.delta = bar_image(delta);
  return v;
}

}  // namespace dpg::objective
