// SPDX-License-Identifier: MIT
#pragma once
/// @file Which optimiser states the forward run of 𝒜 stores and which step graphs it keeps,
/// so that the reverse pass of the metagradient can walk t = T..1 (docs/metagradients.md).
/// Pure: no tensors.
///
/// Schedules (all exact, tested equal to ≤ 1e-10 in float64):
///   all          store s_{t−1} and g_t every step; rebuild g_t's graph in the reverse step;
///   sqrt         store every k = ⌈√T⌉-th state; recompute each segment, then as "all";
///   all+graphs   keep g_t's create_graph graph from the forward: the reverse is only the
///                double backward;
///   sqrt+graphs  store every k-th state; recompute each segment with graphs kept;
///   unroll       one graph through all T steps (the reference; O(T) graphs).
#include "core/config/enums.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dpg::engine {

/// The schedules are the run config's inner.schedule (core/config/enums.h), with Unroll for
/// tests and benchmarks.
using config::Schedule;
std::string schedule_name(Schedule s);
/// "auto", "all", "sqrt", "all+graphs", "sqrt+graphs", "unroll"; else throws model::ConfigError.
Schedule parse_schedule(const std::string& name);

/// Byte sizes the memory estimate weighs: one stored step (s_{t−1} and g_t), one step's
/// create_graph graph over the whole batch, and over one micro-batch.
struct StepSizes {
  int64_t state = 0;
  int64_t graph = 0;
  int64_t micro_graph = 0;
};

/// Memory schedule @p s needs for T steps of these sizes (an estimate, bytes). Auto gives 0.
int64_t estimate_memory(int64_t T, const StepSizes& sizes, Schedule s);
/// The fastest schedule whose estimate fits @p budget_bytes (sqrt when none does), with a
/// one-line reason.
std::pair<Schedule, std::string> choose_schedule(int64_t T, const StepSizes& sizes,
                                                 int64_t budget_bytes);

/// Steps [first, last] (1-based) that the reverse pass walks as one piece.
struct Segment {
  int64_t first = 0, last = 0;
  bool operator==(const Segment&) const = default;
};

/// What the forward keeps and how the reverse walks. A default plan keeps nothing: plain 𝒜.
struct CheckpointPlan {
  Schedule schedule = Schedule::All;  ///< resolved, never Auto
  std::string reason;                 ///< why this schedule (Auto's choice and its estimate)
  std::vector<int64_t> stored;        ///< steps t whose s_{t−1} the forward stores, ascending
  bool stored_with_g = false;         ///< each stored entry also holds g_t
  bool forward_graphs = false;        ///< the forward keeps each stored step's g_t graph
  bool segment_graphs = false;        ///< a recomputed segment keeps its steps' graphs
  bool unroll = false;                ///< one graph through all steps; nothing stored
  std::vector<Segment> segments;      ///< in reverse order: the reverse walks segments[0] first

  bool stores(int64_t t) const;
  /// A segment is recomputed from its stored first state when the forward did not store g_t.
  bool recomputes() const { return !stored_with_g; }
  /// Graphs are kept somewhere, so stored states stay in memory (spilling is for all and sqrt).
  bool keeps_graphs() const { return forward_graphs || segment_graphs; }
  /// The plan of the forward that recomputes @p seg: every state with g_t, graphs when
  /// segment_graphs.
  CheckpointPlan recompute_plan(const Segment& seg) const;
};

/// The plan for T steps of schedule @p s; Auto picks by choose_schedule(T, sizes, budget_bytes).
CheckpointPlan checkpoint_plan(int64_t T, Schedule s, const StepSizes& sizes = {},
                               int64_t budget_bytes = 0);

}  // namespace dpg::engine
