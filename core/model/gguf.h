// SPDX-License-Identifier: MIT
#pragma once
/// @file GGUF (v2/v3) reader: header, typed metadata (every value type, arrays included), tensor
/// infos and their data, memory-mapped.
///
/// Layout (little-endian): magic "GGUF", u32 version, u64 tensor_count, u64 kv_count, then
/// kv_count x (string key, u32 value type, value), then tensor_count x (string name, u32 n_dims,
/// n_dims x u64 ne, u32 ggml type, u64 offset). Strings are u64 length + bytes. Tensor data starts
/// at the next multiple of general.alignment (default 32); offsets are relative to that start.
/// Every problem (truncation, bad magic or version, unknown type, overflow, a tensor outside the
/// file) throws FormatError naming the file, the byte offset and the reason.
#include "core/model/quant.h"

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dpg::model {

/// GGUF metadata value types.
enum class GgufType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
std::string gguf_type_name(GgufType type);

/// One metadata value. Integers are widened to i/u, floats to f; arrays keep their element type.
struct GgufValue {
  GgufType type = GgufType::U8;
  uint64_t u = 0;                     ///< unsigned integers and bool
  int64_t i = 0;                      ///< signed integers (unsigned ones too when they fit)
  double f = 0.0;                     ///< floats
  std::string s;                      ///< strings
  GgufType elem_type = GgufType::U8;  ///< arrays
  std::vector<GgufValue> array;       ///< arrays

  bool is_integer() const;
  bool is_float() const { return type == GgufType::F32 || type == GgufType::F64; }
  /// Human-readable rendering (arrays abbreviated after @p max_items).
  std::string to_string(size_t max_items = 8) const;
};

/// One tensor record.
struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> ne;  ///< ggml order: ne[0] is the contiguous (innermost) dimension
  uint32_t type = 0;        ///< raw ggml type id
  uint64_t offset = 0;      ///< relative to the data section
  uint64_t n_bytes = 0;
  int64_t info_offset = 0;  ///< file offset of this record (for error messages)

  int64_t n_elements() const;
  /// Row-major (torch) shape: ne reversed.
  std::vector<int64_t> shape() const;
  std::string type_name() const { return ggml_type_name(type); }
};

class GgufFile {
 public:
  /// Maps and parses @p path. Throws FormatError on any problem.
  static GgufFile open(const std::string& path);
  /// Parses a GGUF image held in memory; @p name stands for the file in errors.
  static GgufFile from_bytes(std::string bytes, const std::string& name);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const;

  const std::map<std::string, GgufValue>& metadata() const { return kv_; }
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }

  /// nullptr when absent.
  const GgufValue* find(const std::string& key) const;
  /// File offset of a metadata key's record, or -1 when absent.
  int64_t key_offset(const std::string& key) const;
  const GgufTensorInfo* find_tensor(const std::string& name) const;
  /// Typed getters: throw FormatError naming the key when it is absent or of the wrong type.
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  ///< integers are accepted too
  std::string get_string(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  /// Same, with a fallback when the key is absent (a wrong type still throws).
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;

  /// Raw bytes of a tensor (t.n_bytes of them), valid while this object (or a copy) lives.
  const uint8_t* tensor_data(const GgufTensorInfo& t) const;
  /// The tensor dequantised to float32 in its torch shape. Throws FormatError (naming the tensor,
  /// its record offset and its type) for types that cannot be dequantised.
  torch::Tensor dequantize(const GgufTensorInfo& t) const;

 private:
  struct Mapping;
  static GgufFile parse(std::shared_ptr<Mapping> bytes, const std::string& path);
  std::shared_ptr<const Mapping> map_;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::map<std::string, GgufValue> kv_;
  std::map<std::string, int64_t> kv_offsets_;  ///< file offset of each key (for errors)
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t> tensor_index_;

  friend class GgufParser;
};

}  // namespace dpg::model
