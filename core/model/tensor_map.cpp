// SPDX-License-Identifier: MIT
#include "core/model/tensor_map.h"

namespace dpg::model {

int64_t parameter_count(const TensorMap& params) {
  int64_t n = 0;
  for (const auto& [name, t] : params) n += t.numel();
  return n;
}

TensorMap to_dtype(const TensorMap& params, torch::ScalarType dtype) {
  TensorMap out;
  for (const auto& [name, t] : params) out[name] = t.to(dtype);
  return out;
}

TensorMap clone_detached(const TensorMap& params) {
  TensorMap out;
  for (const auto& [name, t] : params) out[name] = t.detach().clone();
  return out;
}

TensorMap to_device(const TensorMap& params, const torch::Device& device) {
  TensorMap out;
  for (const auto& [name, t] : params) out[name] = t.to(device);
  return out;
}

}  // namespace dpg::model
