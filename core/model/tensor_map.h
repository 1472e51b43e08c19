// SPDX-License-Identifier: MIT
#pragma once
/// @file Named parameter maps: the functional models keep every weight here, keyed by its HF name.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace dpg::model {

/// Ordered so that iteration (and so the flattened parameter order) is deterministic.
using TensorMap = std::map<std::string, torch::Tensor>;

/// Total number of scalar elements in the map.
int64_t parameter_count(const TensorMap& params);
/// Every tensor converted to @p dtype (a copy when the dtype differs).
TensorMap to_dtype(const TensorMap& params, torch::ScalarType dtype);
/// Deep copy (clone) of every tensor, detached from any graph.
TensorMap clone_detached(const TensorMap& params);
/// Every tensor on @p device (the same tensors when they are there already).
TensorMap to_device(const TensorMap& params, const torch::Device& device);

}  // namespace dpg::model
