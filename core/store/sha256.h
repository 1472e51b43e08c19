// SPDX-License-Identifier: MIT
#pragma once
/// @file A small, dependency-free SHA-256 (FIPS 180-4), for checkpoint digests in the run store.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace dpg::store {

/// Incremental SHA-256: update() any number of times, then hex() once.
class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t bytes);
  /// Finishes and returns the lower-case hex digest (64 characters).
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::array<uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace dpg::store
