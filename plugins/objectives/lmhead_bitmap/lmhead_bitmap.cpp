// SPDX-License-Identifier: MIT
#include "plugins/objectives/lmhead_bitmap/lmhead_bitmap.h"

#include "core/model/transformer.h"

#include <cmath>
#include <stdexcept>

namespace dpg::objective {
namespace {

constexpr const char* kBitmapKind = "lmhead_bitmap";

torch::Tensor image_tensor(const engine::Image& img) {
  return torch::from_blob(const_cast<float*>(img.data.data()), {img.rows, img.cols},
                          torch::kFloat32)
      .clone();
}

engine::Image to_image(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  engine::Image img;
  img.rows = c.size(0);
  img.cols = c.size(1);
  img.data.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return img;
}

}  // namespace

const std::vector<ParamSpec>& LmHeadBitmapObjective::parameters() {
  static const std::vector<ParamSpec> specs = [] {
    std::vector<ParamSpec> all = bitmap_source_parameters();
    const std::vector<ParamSpec> own = {
        {"token_offset", "int", 33, "first token id of the patch (column 0)"},
        {"dim_offset", "int", 0, "first hidden dimension of the patch (row 0)"},
        {"sharpness", "number", 20.0, "s in phi = -mean(softplus(-s * Y * (P_T - P_0)))"},
        {"focus", "number[][]", nlohmann::json::array(),
         "optional [row, col, weight] triples: phi becomes the weighted mean with weight 1 "
         "elsewhere"},
    };
    all.insert(all.end(), own.begin(), own.end());
    return all;
  }();
  return specs;
}

Bitmap LmHeadBitmapObjective::target_from_params(const nlohmann::json& raw) {
  return bitmap_from_params(kBitmapKind, checked_params(kBitmapKind, parameters(), raw));
}

std::unique_ptr<LmHeadBitmapObjective> LmHeadBitmapObjective::create(const nlohmann::json& raw) {
  const auto p = checked_params(kBitmapKind, parameters(), raw);
  Options o;
  o.target = target_from_params(p);
  o.token_offset = p["token_offset"];
  o.dim_offset = p["dim_offset"];
  o.sharpness = p["sharpness"];
  if (o.token_offset < 0) param_error(kBitmapKind, "token_offset", "must not be negative");
  if (o.dim_offset < 0) param_error(kBitmapKind, "dim_offset", "must not be negative");
  if (!(std::isfinite(o.sharpness) && o.sharpness > 0))
    param_error(kBitmapKind, "sharpness", "must be a positive number");
  try {
    o.focus = focus_from_json(p["focus"], o.target.rows(), o.target.cols());
  } catch (const std::invalid_argument& e) {
    param_error(kBitmapKind, "focus", e.what());
  }
  return std::make_unique<LmHeadBitmapObjective>(std::move(o));
}

LmHeadBitmapObjective::LmHeadBitmapObjective(Options options) : options_(std::move(options)) {
  if (options_.target.empty()) throw std::invalid_argument("lmhead_bitmap: empty target bitmap");
  y_ = image_tensor(options_.target.to_image()).to(torch::kFloat64);
  if (!options_.focus.empty()) {
    w_ = torch::ones_like(y_);
    for (const auto& f : options_.focus) w_[f.row][f.col] = f.weight;
    const double total = w_.sum().item<double>();
    if (!(total > 0)) throw std::invalid_argument("lmhead_bitmap: focus: the weights sum to 0");
    w_ = w_ / total;
  }
}

void LmHeadBitmapObjective::check_compatible(const model::ModelConfig& target) const {
  const int64_t h = options_.target.rows(), w = options_.target.cols();
  if (options_.dim_offset + h > target.d_model) {
    if (options_.dim_offset == 0)
      throw std::invalid_argument("patch needs " + std::to_string(h) +
                                  " hidden dims; this target has " +
                                  std::to_string(target.d_model));
    throw std::invalid_argument("patch needs hidden dims " + std::to_string(options_.dim_offset) +
                                ".." + std::to_string(options_.dim_offset + h - 1) +
                                "; this target has " + std::to_string(target.d_model));
  }
  if (options_.token_offset + w > target.vocab_size)
    throw std::invalid_argument("patch needs token ids " + std::to_string(options_.token_offset) +
                                ".." + std::to_string(options_.token_offset + w - 1) +
                                "; this target's vocabulary has " +
                                std::to_string(target.vocab_size) + " tokens");
}

torch::Tensor LmHeadBitmapObjective::patch(const model::ModelConfig& target,
                                           const model::TensorMap& params) const {
  const auto w = model::lm_head_weight(target, params);  // [vocab, d_model]
  return w.narrow(0, options_.token_offset, options_.target.cols())
      .narrow(1, options_.dim_offset, options_.target.rows())
      .t();
}

torch::Tensor LmHeadBitmapObjective::Phi_of_delta(const torch::Tensor& delta) const {
  const auto y = y_.to(delta.device(), delta.scalar_type());
  const auto loss = torch::softplus(-options_.sharpness * y * delta);  // per pixel
  if (!w_.defined()) return -loss.mean();
  return -(w_.to(delta.device(), delta.scalar_type()) * loss).sum();  // weighted mean: w_ sums to 1
}

double LmHeadBitmapObjective::accuracy_of_delta(const torch::Tensor& delta) const {
  torch::NoGradGuard no_grad;
  const auto d = delta.detach().to(torch::kCPU, torch::kFloat64);
  return torch::sign(d).eq(y_).to(torch::kFloat64).mean().item<double>();
}

torch::Tensor LmHeadBitmapObjective::Phi(const model::ModelConfig& target,
                                         const model::TensorMap& params_T,
                                         const model::TensorMap& params_0) const {
  check_compatible(target);
  const auto delta = patch(target, params_T) - patch(target, params_0).detach();
  return Phi_of_delta(delta);
}

engine::ObjectiveView LmHeadBitmapObjective::view(const model::ModelConfig& target,
                                                  const model::TensorMap& params_T,
                                                  const model::TensorMap& params_0) const {
  torch::NoGradGuard no_grad;
  check_compatible(target);
  const auto delta = (patch(target, params_T) - patch(target, params_0)).to(torch::kFloat64);
  engine::ObjectiveView v;
  v.metric = accuracy_of_delta(delta);
  v.target = options_.target.to_image();
  v.sign = to_image(torch::sign(delta));
  v.delta = to_image(delta);
  return v;
}

}  // namespace dpg::objective
