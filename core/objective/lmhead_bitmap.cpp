// SPDX-License-Identifier: MIT
#include "core/objective/lmhead_bitmap.h"

#include "core/model/resources.h"
#include "core/model/transformer.h"

#include <cmath>
#include <filesystem>
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
  static const std::vector<ParamSpec> specs = {
      {"source", "string", "67", "where Y comes from", {"67", "qr", "bitmap", "png"}},
      {"text", "string", "", "qr: the text to encode"},
      {"ec_level", "string", "L", "qr: error correction level", {"L", "M", "Q", "H"}},
      {"version", "int", 1, "qr: version (1 = 21x21; 0 = the smallest that fits)"},
      {"bits", "string[]", nlohmann::json::array(),
       "bitmap: one string a row, '#' dark and '.' light"},
      {"rows", "int", 0, "bitmap: expected rows; png: resample to this many rows (0 = as is)"},
      {"cols", "int", 0,
       "bitmap: expected columns; png: resample to this many columns (0 = as is)"},
      {"png", "string", "", "png: path of the image (dark pixels = +1)"},
      {"token_offset", "int", 33, "first token id of the patch (column 0)"},
      {"dim_offset", "int", 0, "first hidden dimension of the patch (row 0)"},
      {"sharpness", "number", 20.0, "s in phi = -mean(softplus(-s * Y * (P_T - P_0)))"},
      {"focus", "number[][]", nlohmann::json::array(),
       "optional [row, col, weight] triples: phi becomes the weighted mean with weight 1 elsewhere"},
  };
  return specs;
}

Bitmap LmHeadBitmapObjective::target_from_params(const nlohmann::json& raw) {
  const auto p = checked_params(kBitmapKind, parameters(), raw);
  const std::string source = p["source"];
  const int rows = p["rows"], cols = p["cols"];
  if (rows < 0) param_error(kBitmapKind, "rows", "must not be negative");
  if (cols < 0) param_error(kBitmapKind, "cols", "must not be negative");
  Bitmap y;
  if (source == "67") {
    y = sixty_seven();
  } else if (source == "qr") {
    const std::string text = p["text"];
    if (text.empty()) param_error(kBitmapKind, "text", "source qr needs the text to encode");
    const std::string level = p["ec_level"];
    try {
      y = make_qr(text, {level[0], p["version"].get<int>()});
    } catch (const std::invalid_argument& e) {
      param_error(kBitmapKind, "text", e.what());
    }
  } else if (source == "bitmap") {
    if (p["bits"].empty())
      param_error(kBitmapKind, "bits", "source bitmap needs the rows, e.g. [\"#.#\", \".#.\"]");
    try {
      y = Bitmap::from_strings(p["bits"].get<std::vector<std::string>>());
    } catch (const std::invalid_argument& e) {
      param_error(kBitmapKind, "bits", e.what());
    }
    if (rows > 0 && rows != y.rows())
      param_error(
          kBitmapKind, "rows",
          "is " + std::to_string(rows) + " but bits has " + std::to_string(y.rows()) + " rows");
    if (cols > 0 && cols != y.cols())
      param_error(
          kBitmapKind, "cols",
          "is " + std::to_string(cols) + " but bits has " + std::to_string(y.cols()) + " columns");
  } else {  // png
    std::string path = p["png"];
    if (path.empty()) param_error(kBitmapKind, "png", "source png needs the path of the image");
    if (!std::filesystem::exists(path))
      if (auto found = model::find_resource(path)) path = *found;
    try {
      y = read_png(path);
    } catch (const std::runtime_error& e) {
      param_error(kBitmapKind, "png", e.what());
    }
    if (rows > 0 || cols > 0)
      y = y.resampled(rows > 0 ? rows : y.rows(), cols > 0 ? cols : y.cols());
  }
  if (y.dark_count() == 0 || y.dark_count() == y.rows() * y.cols())
    param_error(kBitmapKind, "source", "the target image is all one colour");
  return y;
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

torch::Tensor LmHeadBitmapObjective::phi_of_delta(const torch::Tensor& delta) const {
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

torch::Tensor LmHeadBitmapObjective::phi(const model::ModelConfig& target,
                                         const model::TensorMap& phi_T,
                                         const model::TensorMap& phi_0) const {
  check_compatible(target);
  const auto delta = patch(target, phi_T) - patch(target, phi_0).detach();
  return phi_of_delta(delta);
}

engine::ObjectiveView LmHeadBitmapObjective::view(const model::ModelConfig& target,
                                                  const model::TensorMap& phi_T,
                                                  const model::TensorMap& phi_0) const {
  torch::NoGradGuard no_grad;
  check_compatible(target);
  const auto delta = (patch(target, phi_T) - patch(target, phi_0)).to(torch::kFloat64);
  engine::ObjectiveView v;
  v.metric = accuracy_of_delta(delta);
  v.target = options_.target.to_image();
  v.sign = to_image(torch::sign(delta));
  v.delta = to_image(delta);
  return v;
}

}  // namespace dpg::objective
