// SPDX-License-Identifier: MIT
#include "core/model/gguf.h"

#include "core/model/errors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

namespace dpg::model {

// The file's bytes: a read-only memory map of the whole file (unmapped when the last GgufFile copy
// goes), or a buffer owned here.
struct GgufFile::Mapping {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bool mapped = false;
  std::string owned;
  ~Mapping() {
    if (mapped && data && size) ::munmap(const_cast<uint8_t*>(data), size);
  }
};

namespace {

constexpr uint32_t kMaxDims = 4;   // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 8;  // nested arrays are legal; bound the recursion
constexpr uint64_t kMaxAlignment = 1u << 20;

uint64_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::Bool:
      return 1;
    case GgufType::U16:
    case GgufType::I16:
      return 2;
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::F32:
      return 4;
    case GgufType::U64:
    case GgufType::I64:
    case GgufType::F64:
      return 8;
    case GgufType::String:
      return 8;  // at least the length field
    case GgufType::Array:
      return 12;  // at least element type + count
  }
  return 0;
}

bool known_value_type(uint32_t t) {
  return t <= uint32_t(GgufType::F64);
}

}  // namespace

/// Bounds-checked cursor over the mapped bytes; every failure names the offset.
class GgufParser {
 public:
  GgufParser(const std::string& path, const uint8_t* data, uint64_t size)
      : path_(path), p_(data), size_(size) {}

  [[noreturn]] void fail(uint64_t offset, const std::string& reason) const {
    throw FormatError(path_, int64_t(offset), reason);
  }
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  void need(uint64_t n, const std::string& what) const {
    if (n > remaining()) {
      fail(pos_, "truncated: " + what + " needs " + std::to_string(n) + " bytes but only " +
                     std::to_string(remaining()) + " remain");
    }
  }
  template <typename T>
  T read(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string read_string(const std::string& what) {
    const uint64_t at = pos_;
    const auto len = read<uint64_t>(what + " length");
    if (len > remaining()) {
      fail(at, what + " length " + std::to_string(len) + " exceeds the " +
                   std::to_string(remaining()) + " bytes left in the file");
    }
    std::string s(reinterpret_cast<const char*>(p_ + pos_), size_t(len));
    pos_ += len;
    return s;
  }

  // One scalar of type T into v.f (floats), v.i (signed) or v.u (unsigned).
  template <class T>
  void read_scalar(GgufValue& v, const std::string& what) {
    if constexpr (std::is_floating_point_v<T>)
      v.f = read<T>(what);
    else if constexpr (std::is_signed_v<T>)
      v.i = read<T>(what);
    else
      v.u = read<T>(what);
  }

  // The numeric types; false for bool, string and array.
  bool read_number(GgufType type, const std::string& what, GgufValue& v) {
    switch (type) {
      case GgufType::U8:
        return read_scalar<uint8_t>(v, what), true;
      case GgufType::I8:
        return read_scalar<int8_t>(v, what), true;
      case GgufType::U16:
        return read_scalar<uint16_t>(v, what), true;
      case GgufType::I16:
        return read_scalar<int16_t>(v, what), true;
      case GgufType::U32:
        return read_scalar<uint32_t>(v, what), true;
      case GgufType::I32:
        return read_scalar<int32_t>(v, what), true;
      case GgufType::U64:
        return read_scalar<uint64_t>(v, what), true;
      case GgufType::I64:
        return read_scalar<int64_t>(v, what), true;
      case GgufType::F32:
        return read_scalar<float>(v, what), true;
      case GgufType::F64:
        return read_scalar<double>(v, what), true;
      default:
        return false;
    }
  }

  // An array: element type, count (bounded by the bytes left), then the elements.
  void read_array(const std::string& what, int depth, GgufValue& v) {
    if (depth >= kMaxArrayDepth) fail(pos_, what + ": arrays nested too deeply");
    const uint64_t at = pos_;
    const auto et = read<uint32_t>(what + " element type");
    if (!known_value_type(et)) {
      fail(at, what + ": unsupported array element type " + std::to_string(et));
    }
    v.elem_type = GgufType(et);
    const uint64_t count_at = pos_;
    const auto n = read<uint64_t>(what + " element count");
    if (n > remaining() / scalar_size(v.elem_type)) {
      fail(count_at, what + ": array of " + std::to_string(n) + " " + gguf_type_name(v.elem_type) +
                         " elements cannot fit in the " + std::to_string(remaining()) +
                         " bytes left");
    }
    v.array.reserve(size_t(n));
    for (uint64_t k = 0; k < n; ++k) v.array.push_back(read_value(v.elem_type, what, depth + 1));
  }

  GgufValue read_value(GgufType type, const std::string& what, int depth) {
    GgufValue v;
    v.type = type;
    if (read_number(type, what, v)) {
    } else if (type == GgufType::Bool) {
      const uint64_t at = pos_;
      const auto b = read<uint8_t>(what);
      if (b > 1) fail(at, what + ": bool value " + std::to_string(b) + " is neither 0 nor 1");
      v.u = b;
    } else if (type == GgufType::String) {
      v.s = read_string(what);
    } else {
      read_array(what, depth, v);
    }
    // Integers are readable both ways: v.i for unsigned values (-1 beyond int64), v.u for signed.
    if (type == GgufType::U8 || type == GgufType::U16 || type == GgufType::U32 ||
        type == GgufType::U64 || type == GgufType::Bool) {
      v.i = v.u <= uint64_t(std::numeric_limits<int64_t>::max()) ? int64_t(v.u) : -1;
    } else if (type == GgufType::I8 || type == GgufType::I16 || type == GgufType::I32 ||
               type == GgufType::I64) {
      v.u = uint64_t(v.i);
    }
    return v;
  }

  // Header, metadata, tensor infos, then the checks that every tensor's data lies in the file.
  void parse(GgufFile& f) {
    const auto [n_tensors, n_kv] = read_header(f);
    read_metadata(f, n_kv);
    read_alignment(f);
    f.tensors_.reserve(size_t(n_tensors));
    for (uint64_t k = 0; k < n_tensors; ++k) f.tensors_.push_back(read_tensor_info(f));
    const uint64_t pad = (f.alignment_ - pos_ % f.alignment_) % f.alignment_;
    f.data_offset_ = pos_ + pad;
    check_tensor_data(f);
  }

  // Magic, version, and the tensor and metadata counts (rejected when the file cannot hold them).
  std::pair<uint64_t, uint64_t> read_header(GgufFile& f) {
    const auto magic = read<uint32_t>("magic");
    if (std::memcmp(&magic, "GGUF", 4) != 0) {
      std::ostringstream m;
      m << "bad magic: expected \"GGUF\", found bytes";
      for (int k = 0; k < 4; ++k) m << ' ' << std::hex << int(p_[k]);
      fail(0, m.str());
    }
    f.version_ = read<uint32_t>("version");
    if (f.version_ != 2 && f.version_ != 3) {
      fail(4, "unsupported GGUF version " + std::to_string(f.version_) + " (expected 2 or 3)");
    }
    const auto n_tensors = read<uint64_t>("tensor count");
    const auto n_kv = read<uint64_t>("metadata count");
    // Each tensor record takes >= 24 bytes and each key/value >= 13: reject impossible counts up
    // front, so that a corrupt count cannot make us reserve absurd amounts of memory.
    if (n_tensors > remaining() / 24) {
      fail(8, "tensor count " + std::to_string(n_tensors) + " is impossible for a file of " +
                  std::to_string(size_) + " bytes");
    }
    if (n_kv > remaining() / 13) {
      fail(16, "metadata count " + std::to_string(n_kv) + " is impossible for a file of " +
                   std::to_string(size_) + " bytes");
    }
    return {n_tensors, n_kv};
  }

  void read_metadata(GgufFile& f, uint64_t n_kv) {
    for (uint64_t k = 0; k < n_kv; ++k) {
      const uint64_t at = pos_;
      std::string key = read_string("metadata key");
      const uint64_t type_at = pos_;
      const auto type = read<uint32_t>("type of '" + key + "'");
      if (!known_value_type(type)) {
        fail(type_at,
             "unsupported metadata value type " + std::to_string(type) + " for '" + key + "'");
      }
      GgufValue v = read_value(GgufType(type), "value of '" + key + "'", 0);
      if (f.kv_.count(key)) fail(at, "duplicate metadata key '" + key + "'");
      f.kv_offsets_[key] = int64_t(at);
      f.kv_.emplace(std::move(key), std::move(v));
    }
  }

  void read_alignment(GgufFile& f) {
    auto it = f.kv_.find("general.alignment");
    if (it == f.kv_.end()) return;
    const auto& a = it->second;
    const uint64_t al = a.is_integer() ? a.u : 0;
    if (al == 0 || (al & (al - 1)) != 0 || al > kMaxAlignment) {
      fail(uint64_t(f.kv_offsets_["general.alignment"]),
           "general.alignment must be a power of two up to 1 MiB, found " + a.to_string());
    }
    f.alignment_ = al;
  }

  void check_tensor_data(GgufFile& f) {
    for (size_t k = 0; k < f.tensors_.size(); ++k) {
      const auto& t = f.tensors_[k];
      if (!f.tensor_index_.emplace(t.name, k).second) {
        fail(uint64_t(t.info_offset), "duplicate tensor name '" + t.name + "'");
      }
      const uint64_t begin = f.data_offset_ + t.offset;
      if (t.offset > size_ || begin > size_ || t.n_bytes > size_ - begin) {
        fail(uint64_t(t.info_offset), "tensor '" + t.name + "' data [" + std::to_string(begin) +
                                          ", +" + std::to_string(t.n_bytes) +
                                          ") lies beyond the end of the file (" +
                                          std::to_string(size_) + " bytes): truncated?");
      }
    }
  }

  GgufTensorInfo read_tensor_info(const GgufFile& f) {
    GgufTensorInfo t;
    t.info_offset = int64_t(pos_);
    t.name = read_string("tensor name");
    const uint64_t dims_at = pos_;
    const auto n_dims = read<uint32_t>("n_dims of '" + t.name + "'");
    if (n_dims > kMaxDims) {
      fail(dims_at, "tensor '" + t.name + "' has " + std::to_string(n_dims) +
                        " dimensions (at most 4 allowed)");
    }
    // n: the element count. spanned: the product of the dimensions other than 0, which must fit
    // too (a tensor of shape [2^40, 0, 2^40] holds nothing, but no shape with that span is made).
    int64_t n = 1, spanned = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t at = pos_;
      const auto ne = read<uint64_t>("dimension of '" + t.name + "'");
      if (ne > uint64_t(std::numeric_limits<int64_t>::max()) ||
          __builtin_mul_overflow(n, int64_t(ne), &n) ||
          __builtin_mul_overflow(spanned, std::max<int64_t>(1, int64_t(ne)), &spanned)) {
        fail(at, "tensor '" + t.name + "' dimension " + std::to_string(ne) + " overflows");
      }
      t.ne.push_back(int64_t(ne));
    }
    const uint64_t type_at = pos_;
    t.type = read<uint32_t>("type of '" + t.name + "'");
    const auto* tr = ggml_type_traits(t.type);
    if (!tr) {
      fail(type_at,
           "tensor '" + t.name + "' has unsupported ggml type id " + std::to_string(t.type));
    }
    const int64_t row = t.ne.empty() ? 1 : t.ne[0];  // a 0-dimensional tensor holds one value
    if (row % tr->block_size != 0) {
      fail(dims_at, "tensor '" + t.name + "' row of " + std::to_string(row) +
                        " values is not a whole number of " + tr->name + " blocks");
    }
    int64_t bytes = 0;
    if (__builtin_mul_overflow(n / tr->block_size, tr->type_size, &bytes)) {
      fail(dims_at, "tensor '" + t.name + "' byte size overflows");
    }
    t.n_bytes = uint64_t(bytes);
    const uint64_t off_at = pos_;
    t.offset = read<uint64_t>("data offset of '" + t.name + "'");
    if (t.offset % f.alignment_ != 0) {
      fail(off_at, "tensor '" + t.name + "' data offset " + std::to_string(t.offset) +
                       " is not a multiple of the alignment " + std::to_string(f.alignment_));
    }
    return t;
  }

 private:
  const std::string& path_;
  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

std::string gguf_type_name(GgufType type) {
  static const char* names[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                "bool", "string", "array", "u64", "i64", "f64"};
  const auto k = uint32_t(type);
  return k < 13 ? names[k] : "type#" + std::to_string(k);
}

bool GgufValue::is_integer() const {
  switch (type) {
    case GgufType::U8:
    case GgufType::I8:
    case GgufType::U16:
    case GgufType::I16:
    case GgufType::U32:
    case GgufType::I32:
    case GgufType::U64:
    case GgufType::I64:
      return true;
    default:
      return false;
  }
}

std::string GgufValue::to_string(size_t max_items) const {
  std::ostringstream o;
  switch (type) {
    case GgufType::String:
      o << '"' << s << '"';
      break;
    case GgufType::Bool:
      o << (u ? "true" : "false");
      break;
    case GgufType::F32:
    case GgufType::F64:
      o << f;
      break;
    case GgufType::Array: {
      o << '[';
      for (size_t k = 0; k < array.size() && k < max_items; ++k) {
        o << (k ? ", " : "") << array[k].to_string(max_items);
      }
      if (array.size() > max_items) o << ", ... (" << array.size() << " items)";
      o << ']';
      break;
    }
    case GgufType::U8:
    case GgufType::U16:
    case GgufType::U32:
    case GgufType::U64:
      o << u;
      break;
    default:
      o << i;
      break;
  }
  return o.str();
}

int64_t GgufTensorInfo::n_elements() const {
  int64_t n = 1;
  for (auto d : ne) n *= d;
  return n;
}

std::vector<int64_t> GgufTensorInfo::shape() const {
  return {ne.rbegin(), ne.rend()};
}

GgufFile GgufFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FormatError(path, -1, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw FormatError(path, -1, std::string("cannot stat: ") + std::strerror(e));
  }
  auto m = std::make_shared<Mapping>();
  m->size = uint64_t(st.st_size);
  if (m->size > 0) {
    void* p = ::mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw FormatError(path, -1, std::string("cannot map: ") + std::strerror(e));
    }
    m->data = static_cast<const uint8_t*>(p);
    m->mapped = true;
  }
  ::close(fd);
  return parse(std::move(m), path);
}

GgufFile GgufFile::from_bytes(std::string bytes, const std::string& name) {
  auto m = std::make_shared<Mapping>();
  m->owned = std::move(bytes);
  m->data = reinterpret_cast<const uint8_t*>(m->owned.data());
  m->size = m->owned.size();
  return parse(std::move(m), name);
}

GgufFile GgufFile::parse(std::shared_ptr<Mapping> m, const std::string& path) {
  GgufFile f;
  f.path_ = path;
  static const uint8_t kEmpty[1] = {0};
  GgufParser parser(f.path_, m->size ? m->data : kEmpty, m->size);
  parser.parse(f);
  f.map_ = std::move(m);
  return f;
}

uint64_t GgufFile::file_size() const {
  return map_ ? map_->size : 0;
}

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = kv_.find(key);
  return it == kv_.end() ? nullptr : &it->second;
}

int64_t GgufFile::key_offset(const std::string& key) const {
  auto it = kv_offsets_.find(key);
  return it == kv_offsets_.end() ? -1 : it->second;
}

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

namespace {
[[noreturn]] void bad_key(const GgufFile& f, const std::map<std::string, int64_t>& offs,
                          const std::string& key, const std::string& why) {
  auto it = offs.find(key);
  throw FormatError(f.path(), it == offs.end() ? -1 : it->second, "metadata '" + key + "' " + why);
}
}  // namespace

int64_t GgufFile::get_int(const std::string& key) const {
  const auto* v = find(key);
  if (!v) bad_key(*this, kv_offsets_, key, "is missing");
  if (!v->is_integer() || (v->type == GgufType::U64 && v->i < 0))
    bad_key(*this, kv_offsets_, key, "must be an integer, found " + gguf_type_name(v->type));
  return v->i;
}
double GgufFile::get_float(const std::string& key) const {
  const auto* v = find(key);
  if (!v) bad_key(*this, kv_offsets_, key, "is missing");
  if (v->is_float()) return v->f;
  if (v->is_integer()) return double(v->i);
  bad_key(*this, kv_offsets_, key, "must be a number, found " + gguf_type_name(v->type));
}
std::string GgufFile::get_string(const std::string& key) const {
  const auto* v = find(key);
  if (!v) bad_key(*this, kv_offsets_, key, "is missing");
  if (v->type != GgufType::String)
    bad_key(*this, kv_offsets_, key, "must be a string, found " + gguf_type_name(v->type));
  return v->s;
}
bool GgufFile::get_bool(const std::string& key) const {
  const auto* v = find(key);
  if (!v) bad_key(*this, kv_offsets_, key, "is missing");
  if (v->type != GgufType::Bool)
    bad_key(*this, kv_offsets_, key, "must be a bool, found " + gguf_type_name(v->type));
  return v->u != 0;
}
int64_t GgufFile::get_int(const std::string& key, int64_t fallback) const {
  return find(key) ? get_int(key) : fallback;
}
double GgufFile::get_float(const std::string& key, double fallback) const {
  return find(key) ? get_float(key) : fallback;
}
std::string GgufFile::get_string(const std::string& key, const std::string& fallback) const {
  return find(key) ? get_string(key) : fallback;
}
bool GgufFile::get_bool(const std::string& key, bool fallback) const {
  return find(key) ? get_bool(key) : fallback;
}

const uint8_t* GgufFile::tensor_data(const GgufTensorInfo& t) const {
  return map_->data + data_offset_ + t.offset;
}

torch::Tensor GgufFile::dequantize(const GgufTensorInfo& t) const {
  const auto* tr = ggml_type_traits(t.type);
  if (!tr || !can_dequantize(tr->type)) {
    throw FormatError(path_, t.info_offset,
                      "tensor '" + t.name + "' has type " + t.type_name() +
                          ", which cannot be dequantised (supported: F32, F16, BF16, Q8_0, Q4_0, "
                          "Q4_1, Q4_K, Q6_K)");
  }
  auto out = dpg::model::dequantize(tr->type, tensor_data(t), t.n_elements());
  return out.view(t.shape());
}

}  // namespace dpg::model
