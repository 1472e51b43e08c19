// SPDX-License-Identifier: MIT
#pragma once
/// @file run.device: where the engine's tensors live ("cpu", "cuda", "cuda:N").
///
/// The store, the GUI and the CLI stay on the host whatever the device; only the engine (models,
/// 𝒜 and τ, sampling, GRPO, validation) runs there. Nothing here needs CUDA headers: a CPU
/// LibTorch compiles it, and refuses a CUDA device with one line.
#include <c10/core/Device.h>

#include <string>

namespace dpg::config {

/// The device spelt @p spec: "cpu", "cuda" (GPU 0, or set_default_gpu's) or "cuda:N". Throws
/// model::ConfigError starting with "run.device" on any other spelling ("cuda:x", "gpu",
/// "cuda:-1").
c10::Device parse_device(const std::string& spec);

/// Makes "cuda" mean GPU @p index in this process (0 until set). A data-parallel rank calls it with
/// its LOCAL_RANK before any run is made, so that the ranks of one host, all given "cuda", take one
/// GPU each, as torchrun and srun number them.
void set_default_gpu(int index);

/// parse_device(), and refuses a device this process cannot use: CUDA in a LibTorch built without
/// it, with no visible GPU, or GPU N when fewer are visible. One line each (model::ConfigError).
c10::Device usable_device(const std::string& spec);

}  // namespace dpg::config
