// SPDX-License-Identifier: MIT
#pragma once
/// @file The enumerated settings of a run and their JSON spellings.
///
/// A config file spells each value as a string ("adamw", "float64", "sqrt+graphs"); RunConfig
/// parses it into the enum once, when the file or a `--set` is read, and writes the same string
/// back (run_config.h). Plain C++: no LibTorch, no Qt.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace dpg::config {

/// grpo.reward: how a rollout is scored (field table in run_config.cpp).
enum class Reward { Dpg, Naive };
/// grpo.credit: which tokens of a response an advantage goes to.
enum class Credit { Sequence, Token };
/// inner.optimizer: the update rule of 𝒜.
enum class InnerOptimizer { AdamW, Sgd };
/// inner.dtype: the precision of 𝒜.
enum class Dtype { Float32, Float64 };
/// inner.schedule: which inner states the reverse pass stores (core/dpg/metagrad.h). Unroll, one
/// graph through all T steps, is the engine's reference for tests and benchmarks; a RunConfig does
/// not accept it.
enum class Schedule { Auto, All, Sqrt, AllGraphs, SqrtGraphs, Unroll };
/// run.precision: the arithmetic of generation and the GRPO update (never of 𝒜 or τ).
enum class Precision { Float32, Bf16, Tf32, Float64 };

template <class E>
struct Spelling {
  E value;
  const char* name;
};

/// The spellings a config file may use, one per value, in the order help texts list them.
template <class E>
struct Spellings;
template <>
struct Spellings<Reward> {
  static constexpr std::array<Spelling<Reward>, 2> all{
      {{Reward::Dpg, "dpg"}, {Reward::Naive, "naive"}}};
};
template <>
struct Spellings<Credit> {
  static constexpr std::array<Spelling<Credit>, 2> all{
      {{Credit::Sequence, "sequence"}, {Credit::Token, "token"}}};
};
template <>
struct Spellings<InnerOptimizer> {
  static constexpr std::array<Spelling<InnerOptimizer>, 2> all{
      {{InnerOptimizer::AdamW, "adamw"}, {InnerOptimizer::Sgd, "sgd"}}};
};
template <>
struct Spellings<Dtype> {
  static constexpr std::array<Spelling<Dtype>, 2> all{
      {{Dtype::Float32, "float32"}, {Dtype::Float64, "float64"}}};
};
template <>
struct Spellings<Schedule> {
  static constexpr std::array<Spelling<Schedule>, 5> all{{{Schedule::Auto, "auto"},
                                                          {Schedule::All, "all"},
                                                          {Schedule::Sqrt, "sqrt"},
                                                          {Schedule::AllGraphs, "all+graphs"},
                                                          {Schedule::SqrtGraphs, "sqrt+graphs"}}};
};

template <>
struct Spellings<Precision> {
  static constexpr std::array<Spelling<Precision>, 4> all{{{Precision::Float32, "float32"},
                                                           {Precision::Bf16, "bf16"},
                                                           {Precision::Tf32, "tf32"},
                                                           {Precision::Float64, "float64"}}};
};

/// The JSON spelling of @p e, or "?" for a value a config cannot hold (Schedule::Unroll).
template <class E>
constexpr const char* name_of(E e) {
  for (const auto& s : Spellings<E>::all)
    if (s.value == e) return s.name;
  return "?";
}

/// The value spelt @p name, or nothing when no value of E is spelt so.
template <class E>
std::optional<E> parse_enum(std::string_view name) {
  for (const auto& s : Spellings<E>::all)
    if (name == s.name) return s.value;
  return std::nullopt;
}

/// "a, b, c": every spelling of E, for error messages.
template <class E>
std::string spellings_list() {
  std::string list;
  for (const auto& s : Spellings<E>::all) list += (list.empty() ? "" : ", ") + std::string(s.name);
  return list;
}

}  // namespace dpg::config
