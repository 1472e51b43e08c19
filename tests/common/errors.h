// SPDX-License-Identifier: MIT
#pragma once
/// @file Checking error messages: what a call threw, and whether a message says something.
#include <exception>
#include <string>

namespace dpg::test {

/// The message of the @p E that @p fn throws; empty when it throws none (any other exception
/// propagates, so a test that expects one kind of error fails on another).
template <class E = std::exception, class F>
std::string error_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return {};
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace dpg::test
