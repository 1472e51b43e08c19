// SPDX-License-Identifier: MIT
#pragma once
/// @file What one rank of a data-parallel DPG run holds of a batch, and how the ranks pool what
/// each made (docs/scaling.md). Every pooling is a sum over the ranks (Collective::all_reduce_sum)
/// of tensors that are zero outside the rank's own rows, so it is exact: a sum with zeros rounds
/// nothing.
#include "core/dpg/collective.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dpg::engine {

/// Rows [begin, end) of a batch.
struct RowSlice {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};

/// The rows of @p n that this rank takes: rank r of N takes the r-th of N contiguous slices, the
/// first n mod N of them one row longer. With no collective (or one rank), all n.
RowSlice rank_slice(int64_t n, const Collective* c);

/// Rows of variable length pooled over the ranks: each rank holds rows [@p mine.begin, @p
/// mine.end) of @p n in @p rows (mine.size() of them); every rank gets all n.
std::vector<std::vector<int64_t>> all_gather_rows(Collective& c,
                                                  const std::vector<std::vector<int64_t>>& rows,
                                                  RowSlice mine, int64_t n);
std::vector<std::vector<float>> all_gather_rows(Collective& c,
                                                const std::vector<std::vector<float>>& rows,
                                                RowSlice mine, int64_t n);

/// Rank 0's @p tensors on every rank; the others' are overwritten in place (same shapes, dtypes
/// and order on every rank).
void broadcast_from_first(Collective& c, std::vector<torch::Tensor>& tensors);

/// Rank 0's @p text on every rank (the others pass anything, e.g. "").
std::string broadcast_text(Collective& c, const std::string& text);

/// Whether any rank asks to stop (@p mine: this rank's wish). Every rank gets the same answer, so
/// all stop between the same two steps.
bool any_rank(Collective& c, bool mine);

}  // namespace dpg::engine
