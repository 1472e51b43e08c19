// SPDX-License-Identifier: MIT
#pragma once
/// @file Pretraining of the tiny byte-level GPTs (the fixture models) on the corpora of
/// tools/corpus.h: next-byte prediction.
#include "core/model/model_config.h"
#include "core/model/tensor_map.h"

#include <functional>
#include <string>
#include <vector>

namespace dpg::tools {

struct PretrainProgress {
  int64_t step = 0, steps = 0;
  double train_loss = 0;  ///< mean over the last log interval, nats/byte
  double val_loss = -1;   ///< nats/byte on held-out documents; −1 when not measured at this step
  double elapsed_s = 0;
  double lr = 0;
};

struct PretrainOptions {
  model::ModelConfig config;  ///< a GPT-2 architecture with the byte vocabulary (257)
  int64_t steps = 1000;
  int64_t batch = 16;  ///< windows per step
  double lr = 3e-3;    ///< peak; linear warm-up then cosine decay to lr/10
  int64_t warmup = 50;
  double weight_decay = 0.01;
  double grad_clip = 1.0;
  uint64_t seed = 1;
  double val_fraction = 0.05;  ///< documents held out for the validation loss
  int64_t eval_every = 100;
  std::function<void(const PretrainProgress&)> progress;
  /// Called every eval_every steps with the current weights (e.g. to write a checkpoint).
  std::function<void(int64_t step, const model::TensorMap&)> checkpoint;
  std::function<bool()> cancelled;
};

struct PretrainResult {
  model::TensorMap params;
  double val_loss = 0;  ///< final, nats/byte
  double seconds = 0;
};

/// Trains from a fresh init. Throws std::runtime_error("cancelled") when @p opt.cancelled says so.
PretrainResult pretrain(const std::vector<std::string>& docs, const PretrainOptions& opt);

}  // namespace dpg::tools
