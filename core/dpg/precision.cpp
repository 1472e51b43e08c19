// SPDX-License-Identifier: MIT
#include "core/dpg/precision.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>

namespace dpg::engine {
namespace {

// TF32 in cuBLAS float32 matmuls (the engine has no convolutions). Touched on CUDA only.
bool tf32() {
  return at::globalContext().allowTF32CuBLAS();
}
void set_tf32(bool on) {
  at::globalContext().setAllowTF32CuBLAS(on);
}

}  // namespace

model::TensorMap generation_weights(const model::TensorMap& theta, config::Precision p) {
  return p == config::Precision::Bf16 ? model::to_dtype(theta, torch::kBFloat16) : theta;
}

PrecisionScope::PrecisionScope(config::Precision p, c10::Device device, bool autocast)
    : type_(device.type()) {
  autocast_ = autocast && p == config::Precision::Bf16;
  tf32_ = p == config::Precision::Tf32 && device.is_cuda();
  if (autocast_) {
    was_autocast_ = at::autocast::is_autocast_enabled(type_);
    was_dtype_ = at::autocast::get_autocast_dtype(type_);
    at::autocast::set_autocast_enabled(type_, true);
    at::autocast::set_autocast_dtype(type_, at::kBFloat16);
    at::autocast::increment_nesting();
  }
  if (tf32_) {
    was_tf32_ = tf32();
    set_tf32(true);
  }
}

PrecisionScope::~PrecisionScope() {
  if (autocast_) {
    // The cast cache holds bfloat16 copies of θ's leaves; it goes with the outermost scope.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(type_, was_autocast_);
    at::autocast::set_autocast_dtype(type_, was_dtype_);
  }
  if (tf32_) set_tf32(was_tf32_);
}

ExactScope::ExactScope(c10::Device device) : type_(device.type()) {
  was_autocast_ = at::autocast::is_autocast_enabled(type_);
  was_tf32_ = device.is_cuda() && tf32();
  if (was_autocast_) at::autocast::set_autocast_enabled(type_, false);
  if (was_tf32_) set_tf32(false);
}

ExactScope::~ExactScope() {
  if (was_autocast_) at::autocast::set_autocast_enabled(type_, true);
  if (was_tf32_) set_tf32(true);
}

}  // namespace dpg::engine
