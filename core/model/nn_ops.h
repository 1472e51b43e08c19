// SPDX-License-Identifier: MIT
// Small functional pieces shared by the differentiable forward (transformer.cpp) and the KV-cache
// decoder (decoder.cpp). Plain LibTorch ops only, so both stay twice-differentiable.
#pragma once

#include "core/model/errors.h"
#include "core/model/tensor_map.h"

#include <torch/torch.h>

#include <string>

namespace dpg::model::ops {

/// The parameter `name`, or a ConfigError naming it.
inline const torch::Tensor& param(const TensorMap& p, const std::string& name) {
  auto it = p.find(name);
  if (it == p.end()) throw ConfigError("missing parameter '" + name + "'");
  return it->second;
}

/// RMSNorm: x / sqrt(mean(x²) + eps) · w
inline torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps) * w;
}

}  // namespace dpg::model::ops
