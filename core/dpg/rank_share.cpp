// SPDX-License-Identifier: MIT
#include "core/dpg/rank_share.h"

#include <torch/torch.h>

#include <algorithm>
#include <type_traits>

namespace dpg::engine {
namespace {

// Rows pooled as a [n, longest] tensor of Stored (int64 for ids, float64 for floats: both hold
// the values exactly) plus their lengths.
template <class Stored, class T>
std::vector<std::vector<T>> gather(Collective& c, const std::vector<std::vector<T>>& rows,
                                   RowSlice mine, int64_t n) {
  const auto dtype = std::is_same_v<Stored, int64_t> ? torch::kLong : torch::kFloat64;
  std::vector<torch::Tensor> len{torch::zeros({n}, torch::kLong)};
  auto la = len[0].accessor<int64_t, 1>();
  for (int64_t i = 0; i < mine.size(); ++i) la[mine.begin + i] = int64_t(rows[size_t(i)].size());
  c.all_reduce_sum(len);
  la = len[0].accessor<int64_t, 1>();
  int64_t longest = 1;
  for (int64_t r = 0; r < n; ++r) longest = std::max(longest, la[r]);
  std::vector<torch::Tensor> data{torch::zeros({n, longest}, dtype)};
  auto da = data[0].accessor<Stored, 2>();
  for (int64_t i = 0; i < mine.size(); ++i)
    for (size_t k = 0; k < rows[size_t(i)].size(); ++k)
      da[mine.begin + i][int64_t(k)] = Stored(rows[size_t(i)][k]);
  c.all_reduce_sum(data);
  da = data[0].accessor<Stored, 2>();
  std::vector<std::vector<T>> out(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t k = 0; k < la[r]; ++k) out[size_t(r)].push_back(T(da[r][k]));
  return out;
}

}  // namespace

RowSlice rank_slice(int64_t n, const Collective* c) {
  if (!c || c->world() <= 1) return {0, n};
  const int64_t N = c->world(), k = c->rank();
  const int64_t q = n / N, rem = n % N;  // n = N·q + rem: the first rem slices one longer
  const int64_t begin = k * q + std::min(k, rem);
  return {begin, begin + q + (k < rem ? 1 : 0)};
}

std::vector<std::vector<int64_t>> all_gather_rows(Collective& c,
                                                  const std::vector<std::vector<int64_t>>& rows,
                                                  RowSlice mine, int64_t n) {
  return gather<int64_t>(c, rows, mine, n);
}

std::vector<std::vector<float>> all_gather_rows(Collective& c,
                                                const std::vector<std::vector<float>>& rows,
                                                RowSlice mine, int64_t n) {
  return gather<double>(c, rows, mine, n);
}

void broadcast_from_first(Collective& c, std::vector<torch::Tensor>& tensors) {
  if (c.rank() != 0)
    for (auto& t : tensors) t.zero_();
  c.all_reduce_sum(tensors);
}

std::string broadcast_text(Collective& c, const std::string& text) {
  std::vector<torch::Tensor> len{torch::tensor({c.rank() == 0 ? int64_t(text.size()) : 0})};
  c.all_reduce_sum(len);
  const int64_t n = len[0].item<int64_t>();
  std::vector<torch::Tensor> bytes{torch::zeros({std::max<int64_t>(1, n)}, torch::kLong)};
  if (c.rank() == 0) {
    auto ba = bytes[0].accessor<int64_t, 1>();
    for (int64_t i = 0; i < n; ++i) ba[i] = int64_t(static_cast<unsigned char>(text[size_t(i)]));
  }
  c.all_reduce_sum(bytes);
  std::string out(size_t(n), '\0');
  const auto ba = bytes[0].accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = char(static_cast<unsigned char>(ba[i]));
  return out;
}

bool any_rank(Collective& c, bool mine) {
  std::vector<torch::Tensor> flag{torch::tensor({mine ? int64_t(1) : int64_t(0)})};
  c.all_reduce_sum(flag);
  return flag[0].item<int64_t>() > 0;
}

}  // namespace dpg::engine
