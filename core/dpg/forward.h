// SPDX-License-Identifier: MIT
#pragma once
/// @file The forward run of 𝒜, s_t = update(s_{t−1}, g_t) for t = first..last, storing states and
/// keeping step graphs as a CheckpointPlan says. Plain training (InnerTrainer::train) is the same
/// run with an empty plan; the metagradient's forward and its segment recomputations use it too.
#include "core/dpg/checkpoint_plan.h"
#include "core/dpg/inner_trainer.h"
#include "core/dpg/state_store.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dpg::engine {

using TensorList = std::vector<torch::Tensor>;

/// g_t with its first-order graph: leaves φ_{t−1} and one w leaf (at w = 1) per micro-batch.
struct StepGraph {
  TensorList params_leaf;
  TensorList w_leaf;  ///< one [e − b] (or per-token [e − b, L − 1]) leaf per micro-batch
  std::vector<TensorList> g;  ///< one gradient list per micro-batch, create_graph
  std::vector<std::pair<int64_t, int64_t>> ranges;
};
/// Kept step graphs by 1-based step t.
using KeptGraphs = std::map<int64_t, StepGraph>;

/// Detached copies of @p params that require grad.
TensorList leaves_of(const TensorList& params);
/// Shape of the example weights w for @p rows examples: [rows], or [rows, L − 1] per token.
std::vector<int64_t> weight_shape(int64_t rows, const InnerData& d, bool per_token);
/// Adds g of micro-batch [b, e) of step t, with create_graph, to @p graph; notes its loss in
/// @p losses.
void add_micro_graph(const InnerTrainer& tr, const InnerData& d, int64_t t, int64_t b, int64_t e,
                     StepGraph& graph, bool per_token, FiniteWatch& losses);
/// g_t at φ_{t−1} = @p params with its graph, every micro-batch.
StepGraph build_graph(const InnerTrainer& tr, const InnerData& d, int64_t t,
                      const TensorList& params, bool per_token, FiniteWatch& losses);

/// Where the forward puts what the plan keeps (either may be null when the plan keeps none).
struct ForwardSinks {
  StateStore* states = nullptr;
  KeptGraphs* graphs = nullptr;
};

struct ForwardOptions {
  int64_t first = 1, last = 1;  ///< the steps to run, 1-based, inclusive
  bool final_update = true;     ///< false: stop after g_last (a recomputed segment needs no s_last)
  torch::Tensor w;              ///< example weights [n] or [n, L − 1]; undefined = ones
  bool per_token = false;       ///< kept graphs carry per-token w leaves
  std::function<bool()> cancelled;           ///< polled before each step; raises Cancelled
  std::function<void(int64_t t)> step_done;  ///< after each step
};

/// Runs steps first..last from @p s = s_{first−1} and returns s_last (s_{last−1} without the final
/// update). With plan.unroll the graph runs through every step: w must then be a leaf that
/// requires grad. Kept graphs are built at w = 1. @p d is on the trainer's device. The losses are
/// checked once, at the end (NonFiniteError names the first step whose loss was not finite).
OptState forward_pass(const InnerTrainer& tr, const InnerData& d, const CheckpointPlan& plan,
                      OptState s, const ForwardOptions& o, ForwardSinks sinks = {});

}  // namespace dpg::engine
