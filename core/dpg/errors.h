// SPDX-License-Identifier: MIT
#pragma once
/// @file Typed errors of the DPG engine.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace dpg::engine {

/// A NaN or Inf appeared. Names the inner step (1-based; 0 = not tied to a step) and the quantity.
class NonFiniteError : public std::runtime_error {
 public:
  NonFiniteError(int64_t step, const std::string& quantity)
      : std::runtime_error("non-finite " + quantity +
                           (step > 0 ? " at inner step " + std::to_string(step) : "")),
        step_(step),
        quantity_(quantity) {}
  int64_t step() const { return step_; }
  const std::string& quantity() const { return quantity_; }

 private:
  int64_t step_;
  std::string quantity_;
};

/// The caller's cancel flag was raised; nothing partial is returned.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace dpg::engine
