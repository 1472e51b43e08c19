// SPDX-License-Identifier: MIT
#include "core/model/quant.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>
#include <torch/torch.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace dpg::model {
namespace {

constexpr int64_t QK = 32;    // block size of the *_0 / *_1 types
constexpr int64_t QKK = 256;  // block size of the k-quants

constexpr GgmlTypeTraits kTraits[] = {
    {GgmlType::F32, "F32", 1, 4},
    {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", QK, 2 + 16},
    {GgmlType::Q4_1, "Q4_1", QK, 2 + 2 + 16},
    {GgmlType::Q5_0, "Q5_0", QK, 2 + 4 + 16},
    {GgmlType::Q5_1, "Q5_1", QK, 2 + 2 + 4 + 16},
    {GgmlType::Q8_0, "Q8_0", QK, 2 + 32},
    {GgmlType::Q8_1, "Q8_1", QK, 4 + 4 + 32},
    {GgmlType::Q2_K, "Q2_K", QKK, 2 + 2 + QKK / 16 + QKK / 4},
    {GgmlType::Q3_K, "Q3_K", QKK, 2 + QKK / 4 + QKK / 8 + 12},
    {GgmlType::Q4_K, "Q4_K", QKK, 2 + 2 + 12 + QKK / 2},
    {GgmlType::Q5_K, "Q5_K", QKK, 2 + 2 + 12 + QKK / 8 + QKK / 2},
    {GgmlType::Q6_K, "Q6_K", QKK, QKK / 2 + QKK / 4 + QKK / 16 + 2},
    {GgmlType::Q8_K, "Q8_K", QKK, 4 + QKK + QKK / 8},
    {GgmlType::IQ2_XXS, "IQ2_XXS", QKK, 2 + QKK / 4},
    {GgmlType::IQ2_XS, "IQ2_XS", QKK, 2 + QKK / 4 + QKK / 32},
    {GgmlType::IQ3_XXS, "IQ3_XXS", QKK, 2 + QKK / 4 + QKK / 8},
    {GgmlType::IQ1_S, "IQ1_S", QKK, 2 + QKK / 8 + QKK / 16},
    {GgmlType::IQ4_NL, "IQ4_NL", QK, 2 + 16},
    {GgmlType::IQ3_S, "IQ3_S", QKK, 2 + QKK / 4 + QKK / 8 + QKK / 32 + 4},
    {GgmlType::IQ2_S, "IQ2_S", QKK, 2 + QKK / 4 + QKK / 16},
    {GgmlType::IQ4_XS, "IQ4_XS", QKK, 2 + 2 + QKK / 2 + QKK / 64},
    {GgmlType::I8, "I8", 1, 1},
    {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},
    {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},
    {GgmlType::IQ1_M, "IQ1_M", QKK, QKK / 8 + QKK / 16 + QKK / 32},
    {GgmlType::BF16, "BF16", 1, 2},
    {GgmlType::TQ1_0, "TQ1_0", QKK, 2 + 4 * 13},
    {GgmlType::TQ2_0, "TQ2_0", QKK, 2 + 64},
    {GgmlType::MXFP4, "MXFP4", QK, 1 + 16},
};

// All 65536 halves as floats: exact, and a table lookup vectorises better than the bit logic.
const float* fp16_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t h = 0; h < 65536; ++h) t[h] = c10::detail::fp16_ieee_to_fp32_value(uint16_t(h));
    return t;
  }();
  return table.data();
}

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// Each kernel dequantises blocks [b0, b1) of its type.
void deq_f32(const uint8_t* src, float* dst, int64_t b0, int64_t b1) {
  std::memcpy(dst + b0, src + b0 * 4, size_t(b1 - b0) * 4);
}

void deq_f16(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t i = b0; i < b1; ++i) dst[i] = t[load_u16(src + 2 * i)];
}

void deq_bf16(const uint8_t* src, float* dst, int64_t b0, int64_t b1) {
  for (int64_t i = b0; i < b1; ++i) {
    uint32_t bits = uint32_t(load_u16(src + 2 * i)) << 16;
    std::memcpy(dst + i, &bits, 4);
  }
}

// block_q8_0 { half d; int8 qs[32]; }: y = d * q
void deq_q8_0(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint8_t* blk = src + b * 34;
    const float d = t[load_u16(blk)];
    const int8_t* qs = reinterpret_cast<const int8_t*>(blk + 2);
    float* y = dst + b * QK;
    for (int j = 0; j < 32; ++j) y[j] = float(qs[j]) * d;
  }
}

// block_q4_0 { half d; uint8 qs[16]; }: low nibbles are values 0..15, high nibbles 16..31; y =
// (q-8)*d
void deq_q4_0(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint8_t* blk = src + b * 18;
    const float d = t[load_u16(blk)];
    const uint8_t* qs = blk + 2;
    float* y = dst + b * QK;
    for (int j = 0; j < 16; ++j) {
      y[j] = float(int(qs[j] & 0x0F) - 8) * d;
      y[j + 16] = float(int(qs[j] >> 4) - 8) * d;
    }
  }
}

// block_q4_1 { half d; half m; uint8 qs[16]; }: y = q*d + m
void deq_q4_1(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint8_t* blk = src + b * 20;
    const float d = t[load_u16(blk)];
    const float m = t[load_u16(blk + 2)];
    const uint8_t* qs = blk + 4;
    float* y = dst + b * QK;
    for (int j = 0; j < 16; ++j) {
      y[j] = float(qs[j] & 0x0F) * d + m;
      y[j + 16] = float(qs[j] >> 4) * d + m;
    }
  }
}

// The 6-bit scale and min of sub-block j (0..7) packed in the 12 scale bytes of Q4_K.
inline void scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* mn) {
  if (j < 4) {
    *sc = q[j] & 63;
    *mn = q[j + 4] & 63;
  } else {
    *sc = uint8_t((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
    *mn = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// block_q4_K { half d; half dmin; uint8 scales[12]; uint8 qs[128]; }: 8 sub-blocks of 32,
// y = d*sc*q - dmin*m; each 32 bytes of qs give 32 values (low nibbles) then 32 (high nibbles).
void deq_q4_k(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint8_t* blk = src + b * 144;
    const float d = t[load_u16(blk)];
    const float dmin = t[load_u16(blk + 2)];
    const uint8_t* scales = blk + 4;
    const uint8_t* q = blk + 16;
    float* y = dst + b * QKK;
    for (int j = 0; j < 4; ++j) {
      uint8_t sc, mn;
      scale_min_k4(2 * j, scales, &sc, &mn);
      const float d1 = d * float(sc), m1 = dmin * float(mn);
      scale_min_k4(2 * j + 1, scales, &sc, &mn);
      const float d2 = d * float(sc), m2 = dmin * float(mn);
      for (int l = 0; l < 32; ++l) y[l] = d1 * float(q[l] & 0x0F) - m1;
      for (int l = 0; l < 32; ++l) y[32 + l] = d2 * float(q[l] >> 4) - m2;
      y += 64;
      q += 32;
    }
  }
}

// block_q6_K { uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d; }: 6-bit q = 4 low bits from
// ql, 2 high bits from qh, minus 32; y = d*scale*q with one int8 scale per 16 values.
void deq_q6_k(const uint8_t* src, float* dst, int64_t b0, int64_t b1, const float* t) {
  for (int64_t b = b0; b < b1; ++b) {
    const uint8_t* blk = src + b * 210;
    const uint8_t* ql = blk;
    const uint8_t* qh = blk + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(blk + 192);
    const float d = t[load_u16(blk + 208)];
    float* y = dst + b * QKK;
    for (int half = 0; half < 2; ++half) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = int((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = int((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * float(sc[is]) * float(q1);
        y[l + 32] = d * float(sc[is + 2]) * float(q2);
        y[l + 64] = d * float(sc[is + 4]) * float(q3);
        y[l + 96] = d * float(sc[is + 6]) * float(q4);
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

}  // namespace

const GgmlTypeTraits* ggml_type_traits(uint32_t raw) {
  for (const auto& t : kTraits)
    if (uint32_t(t.type) == raw) return &t;
  return nullptr;
}

std::string ggml_type_name(uint32_t raw) {
  const auto* t = ggml_type_traits(raw);
  return t ? std::string(t->name) : "type#" + std::to_string(raw);
}

bool can_dequantize(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
    case GgmlType::Q8_0:
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q4_K:
    case GgmlType::Q6_K:
      return true;
    default:
      return false;
  }
}

float fp16_to_fp32(uint16_t h) {
  return fp16_table()[h];
}

void dequantize_into(GgmlType type, const void* src_v, float* dst, int64_t n_values) {
  const auto* tr = ggml_type_traits(uint32_t(type));
  if (!tr || !can_dequantize(type))
    throw std::invalid_argument("dequantize: unsupported type " + ggml_type_name(uint32_t(type)));
  if (n_values < 0 || n_values % tr->block_size != 0)
    throw std::invalid_argument("dequantize: " + std::to_string(n_values) +
                                " values is not a whole number of " + tr->name + " blocks");
  const auto* src = static_cast<const uint8_t*>(src_v);
  const int64_t n_blocks = n_values / tr->block_size;
  const float* t = fp16_table();
  // ~16K values per task: enough work to amortise the thread hand-off.
  const int64_t grain = std::max<int64_t>(1, 16384 / tr->block_size);
  at::parallel_for(0, n_blocks, grain, [&](int64_t b0, int64_t b1) {
    switch (type) {
      case GgmlType::F32:
        deq_f32(src, dst, b0, b1);
        break;
      case GgmlType::F16:
        deq_f16(src, dst, b0, b1, t);
        break;
      case GgmlType::BF16:
        deq_bf16(src, dst, b0, b1);
        break;
      case GgmlType::Q8_0:
        deq_q8_0(src, dst, b0, b1, t);
        break;
      case GgmlType::Q4_0:
        deq_q4_0(src, dst, b0, b1, t);
        break;
      case GgmlType::Q4_1:
        deq_q4_1(src, dst, b0, b1, t);
        break;
      case GgmlType::Q4_K:
        deq_q4_k(src, dst, b0, b1, t);
        break;
      case GgmlType::Q6_K:
        deq_q6_k(src, dst, b0, b1, t);
        break;
      default:
        break;  // unreachable: rejected above
    }
  });
}

torch::Tensor dequantize(GgmlType type, const void* src, int64_t n_values) {
  auto out = torch::empty({n_values}, torch::kFloat32);
  dequantize_into(type, src, out.data_ptr<float>(), n_values);
  return out;
}

}  // namespace dpg::model
