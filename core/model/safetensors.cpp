// SPDX-License-Identifier: MIT
#include "core/model/safetensors.h"

#include "core/model/errors.h"
#include "core/model/file_util.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace dpg::model {
namespace {

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  int64_t size;
};
constexpr DtypeInfo kDtypes[] = {
    {"F64", torch::kFloat64, 8},   {"F32", torch::kFloat32, 4}, {"F16", torch::kFloat16, 2},
    {"BF16", torch::kBFloat16, 2}, {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
    {"I8", torch::kInt8, 1},       {"U8", torch::kUInt8, 1},    {"BOOL", torch::kBool, 1}};

const DtypeInfo* by_name(const std::string& n) {
  for (const auto& d : kDtypes)
    if (n == d.name) return &d;
  return nullptr;
}
const DtypeInfo* by_type(torch::ScalarType t) {
  for (const auto& d : kDtypes)
    if (t == d.type) return &d;
  return nullptr;
}

// The integers of the header's array @p key of tensor @p name (a shape or the data offsets).
std::vector<int64_t> integers(const nlohmann::json& info, const char* key, const std::string& path,
                              const std::string& name) {
  const auto& v = info.at(key);
  if (!v.is_array()) throw FormatError(path, 8, "tensor '" + name + "' " + key + " is not a list");
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (!e.is_number_integer() ||
        (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t(INT64_MAX)))
      throw FormatError(path, 8,
                        "tensor '" + name + "' " + key + " holds " + e.dump() +
                            ", which is not an integer of 64 bits");
    out.push_back(e.get<int64_t>());
  }
  return out;
}

// The byte size of @p shape's elements of @p size bytes each; throws when it overflows (also when
// a zero dimension hides the overflow of the others, which torch's strides would hit).
int64_t byte_size(const std::vector<int64_t>& shape, int64_t size, const std::string& path,
                  const std::string& name) {
  int64_t numel = 1, nonzero = size;
  for (auto d : shape) {
    if (d < 0) throw FormatError(path, 8, "tensor '" + name + "' has a negative dimension");
    if (__builtin_mul_overflow(nonzero, std::max<int64_t>(d, 1), &nonzero))
      throw FormatError(path, 8, "tensor '" + name + "' shape overflows 64 bits");
    numel *= d;
  }
  return numel * size;
}

// Tensor @p name of the header entry @p info, its data copied out of @p bytes.
torch::Tensor read_tensor(const std::string& bytes, const std::string& path,
                          const std::string& name, const nlohmann::json& info, int64_t data_start) {
  const int64_t data_size = int64_t(bytes.size()) - data_start;
  const auto* dt = by_name(info.at("dtype").get<std::string>());
  if (!dt)
    throw FormatError(path, 8,
                      "tensor '" + name + "' has unsupported dtype " + info["dtype"].dump());
  const auto shape = integers(info, "shape", path, name);
  const auto offs = integers(info, "data_offsets", path, name);
  const int64_t n = byte_size(shape, dt->size, path, name);
  if (offs.size() != 2 || offs[0] < 0 || offs[1] < offs[0] || offs[1] > data_size) {
    const bool begin_inside = offs.size() == 2 && offs[0] >= 0 && offs[0] <= data_size;
    throw FormatError(path, data_start + (begin_inside ? offs[0] : 0),
                      "tensor '" + name + "' data range lies outside the file (truncated?)");
  }
  if (offs[1] - offs[0] != n) {
    throw FormatError(path, data_start + offs[0],
                      "tensor '" + name + "' holds " + std::to_string(offs[1] - offs[0]) +
                          " bytes but its shape needs " + std::to_string(n));
  }
  auto t = torch::empty(shape, torch::TensorOptions().dtype(dt->type));
  if (n > 0) std::memcpy(t.data_ptr(), bytes.data() + data_start + offs[0], size_t(n));
  return t;
}

}  // namespace

SafetensorsFile read_safetensors(const std::string& path) {
  return parse_safetensors(read_file_bytes(path), path);
}

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& path) {
  if (bytes.size() < 8)
    throw FormatError(path, 0, "file is shorter than the 8-byte safetensors header size");
  uint64_t hlen = 0;
  std::memcpy(&hlen, bytes.data(), 8);
  if (hlen > bytes.size() - 8) {
    throw FormatError(path, 0,
                      "header size " + std::to_string(hlen) + " exceeds the file size " +
                          std::to_string(bytes.size()) + " (truncated or not safetensors)");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + int64_t(hlen));
  } catch (const std::exception& e) {
    throw FormatError(path, 8, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw FormatError(path, 8, "header is not a JSON object");
  const int64_t data_start = 8 + int64_t(hlen);
  SafetensorsFile out;
  for (auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (info.is_object())
        for (auto& [k, v] : info.items())
          if (v.is_string()) out.metadata[k] = v.get<std::string>();
      continue;
    }
    try {
      out.tensors[name] = read_tensor(bytes, path, name, info, data_start);
    } catch (const nlohmann::json::exception& e) {
      throw FormatError(path, 8, "tensor '" + name + "' entry is malformed: " + e.what());
    }
  }
  return out;
}

void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  int64_t offset = 0;
  std::vector<torch::Tensor> blobs;
  for (const auto& [name, t0] : tensors) {
    auto t = t0.detach().contiguous().cpu();
    const auto* dt = by_type(t.scalar_type());
    if (!dt) throw FormatError(path, -1, "cannot write tensor '" + name + "': unsupported dtype");
    int64_t n = t.numel() * dt->size;
    header[name] = {
        {"dtype", dt->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    blobs.push_back(t);
  }
  std::string h = header.dump();
  while ((h.size() + 8) % 8) h.push_back(' ');  // data starts 8-byte aligned
  std::string buf(8, '\0');
  uint64_t hlen = h.size();
  std::memcpy(buf.data(), &hlen, 8);
  buf += h;
  buf.reserve(buf.size() + size_t(offset));
  for (const auto& t : blobs)
    buf.append(static_cast<const char*>(t.data_ptr()), size_t(t.nbytes()));
  write_file_atomic(path, buf);
}

}  // namespace dpg::model
