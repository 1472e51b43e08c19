// SPDX-License-Identifier: MIT
#pragma once
/// @file safetensors reader and writer (the HF format: u64 header size, JSON header, raw data).
#include "core/model/tensor_map.h"

#include <map>
#include <string>

namespace dpg::model {

struct SafetensorsFile {
  TensorMap tensors;  ///< as stored (F32, F64, F16 and BF16 are kept as such)
  std::map<std::string, std::string> metadata;  ///< the "__metadata__" entry
};

/// Reads every tensor. Throws FormatError (file, offset, reason) on any truncation or
/// inconsistency.
SafetensorsFile read_safetensors(const std::string& path);
/// The same, from a whole file's @p bytes; @p name stands for the file in errors.
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& name);
/// Writes atomically (temporary file, fsync, rename). Tensors are written contiguous, in map order.
void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace dpg::model
