// SPDX-License-Identifier: MIT
#pragma once
/// @file Stored states of the forward pass, in memory or spilled to disk.
#include "core/dpg/inner_trainer.h"

#include <map>
#include <string>

namespace dpg::engine {

/// s_{t−1} and, where known, g_t.
struct StoredStep {
  OptState state;
  std::vector<torch::Tensor> g;
};

/// Keyed by 1-based step t. With a spill directory, entries live in files there (torch::save)
/// and memory holds none of them.
class StateStore {
 public:
  explicit StateStore(std::string spill_dir = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  void put(int64_t t, StoredStep entry);
  /// Removes and returns the entry of step t.
  StoredStep take(int64_t t);
  bool contains(int64_t t) const;
  int64_t bytes() const { return bytes_; }
  int64_t peak_bytes() const { return peak_; }

 private:
  std::string file_for(int64_t t) const;
  std::string dir_;
  std::map<int64_t, StoredStep> memory_;
  std::map<int64_t, std::pair<size_t, size_t>> on_disk_;  // t -> (#params tensors, #g tensors)
  int64_t bytes_ = 0, peak_ = 0;
};

}  // namespace dpg::engine
