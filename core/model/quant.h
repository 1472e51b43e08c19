// SPDX-License-Identifier: MIT
#pragma once
/// @file ggml tensor types and their dequantisation to float32.
///
/// Block layouts follow ggml (ggml-common.h): a block of `block_size` values is stored in
/// `type_size` bytes, little-endian, fp16 scales. Supported for dequantisation: F32, F16, BF16,
/// Q8_0, Q4_0, Q4_1, Q4_K, Q6_K. Every other known type can be read (sizes are known) but not
/// dequantised.
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace dpg::model {

/// ggml_type ids as written in GGUF tensor infos.
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
};

/// Storage facts of one ggml type.
struct GgmlTypeTraits {
  GgmlType type;
  const char* name;    ///< "Q4_1", "F32", ...
  int64_t block_size;  ///< values per block
  int64_t type_size;   ///< bytes per block
};

/// Traits of the raw type id @p raw, or nullptr when the id is unknown.
const GgmlTypeTraits* ggml_type_traits(uint32_t raw);
/// "Q4_1" etc.; "type#<id>" for unknown ids.
std::string ggml_type_name(uint32_t raw);
/// True for the types dequantize() accepts.
bool can_dequantize(GgmlType type);

/// Dequantises @p n_values values of @p type stored at @p src into @p dst. @p n_values must be a
/// multiple of the block size and @p src must hold n_values / block_size * type_size bytes.
/// Throws std::invalid_argument for types can_dequantize() rejects. Parallel over blocks.
void dequantize_into(GgmlType type, const void* src, float* dst, int64_t n_values);

/// Same as dequantize_into(), returning a new contiguous 1-D float32 tensor.
torch::Tensor dequantize(GgmlType type, const void* src, int64_t n_values);

/// IEEE half to float (exact).
float fp16_to_fp32(uint16_t h);

}  // namespace dpg::model
