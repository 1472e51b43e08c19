// SPDX-License-Identifier: MIT
#pragma once
/// @file run.precision: reduced arithmetic for generation and the GRPO update only.
///
/// - bf16: generation samples from a bfloat16 copy of θ (its KV cache is bfloat16 too); the update
///   runs its forward under bfloat16 autocast, with θ, the gradients and AdamW in float32.
/// - tf32: float32 matmuls may use TF32 on CUDA (cuBLAS; no effect on the CPU).
/// 𝒜 and the metagradient never see either: metagrad() and InnerTrainer::train() hold an
/// ExactScope, so τ stays in inner.dtype whatever scope their caller holds (bergson measured
/// bfloat16 metagradient scores to be worthless).
#include "core/config/enums.h"
#include "core/model/tensor_map.h"

#include <c10/core/Device.h>

namespace dpg::engine {

/// θ as generation reads it: a bfloat16 copy for Precision::Bf16, else θ itself.
model::TensorMap generation_weights(const model::TensorMap& theta, config::Precision p);

/// While it lives, on @p device: bfloat16 autocast for Precision::Bf16, TF32 on CUDA for
/// Precision::Tf32 (@p autocast false: TF32 only). Restores the previous state when it goes.
class PrecisionScope {
 public:
  PrecisionScope(config::Precision p, c10::Device device, bool autocast = true);
  ~PrecisionScope();
  PrecisionScope(const PrecisionScope&) = delete;
  PrecisionScope& operator=(const PrecisionScope&) = delete;

 private:
  c10::DeviceType type_;
  bool autocast_ = false, tf32_ = false;
  bool was_autocast_ = false, was_tf32_ = false;
  c10::ScalarType was_dtype_ = c10::ScalarType::BFloat16;
};

/// While it lives: no autocast on @p device and no TF32 (CUDA), whatever an enclosing scope set.
class ExactScope {
 public:
  explicit ExactScope(c10::Device device);
  ~ExactScope();
  ExactScope(const ExactScope&) = delete;
  ExactScope& operator=(const ExactScope&) = delete;

 private:
  c10::DeviceType type_;
  bool was_autocast_ = false, was_tf32_ = false;
};

}  // namespace dpg::engine
