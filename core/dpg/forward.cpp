// SPDX-License-Identifier: MIT
#include "core/dpg/forward.h"

#include "core/dpg/errors.h"

#include <torch/torch.h>

#include <cmath>

namespace dpg::engine {
namespace {

TensorList sum_detached(const std::vector<TensorList>& parts) {
  TensorList g;
  for (const auto& p : parts) {
    if (g.empty()) {
      for (const auto& x : p) g.push_back(x.detach().clone());
    } else {
      for (size_t k = 0; k < g.size(); ++k) g[k].add_(p[k].detach());
    }
  }
  return g;
}

// g_t through the graph of every earlier step (unroll): φ_{t−1} carries its graph, w is a leaf.
TensorList unrolled_gradient(const InnerTrainer& tr, const InnerData& d, int64_t t,
                             const OptState& s, const torch::Tensor& w, FiniteWatch& losses) {
  TensorList g;
  for (auto [b, e] : tr.micro_batches(t)) {
    auto l = tr.loss(s.params, d, b, e, w.narrow(0, b, e - b));
    losses.add(t, l);
    auto gm = torch::autograd::grad({l}, s.params, {}, true, true);
    if (g.empty()) {
      g = gm;
    } else {
      for (size_t k = 0; k < g.size(); ++k) g[k] = g[k] + gm[k];
    }
  }
  return g;
}

}  // namespace

TensorList leaves_of(const TensorList& params) {
  TensorList out;
  for (const auto& p : params) out.push_back(p.detach().requires_grad_(true));
  return out;
}

std::vector<int64_t> weight_shape(int64_t rows, const InnerData& d, bool per_token) {
  if (per_token) return {rows, d.seq_len() - 1};
  return {rows};
}

void add_micro_graph(const InnerTrainer& tr, const InnerData& d, int64_t t, int64_t b, int64_t e,
                     StepGraph& graph, bool per_token, FiniteWatch& losses) {
  auto w = torch::ones(weight_shape(e - b, d, per_token), tr.weight_options()).requires_grad_(true);
  auto l = tr.loss(graph.params_leaf, d, b, e, w);
  losses.add(t, l);
  graph.g.push_back(torch::autograd::grad({l}, graph.params_leaf, {}, true, true));
  graph.w_leaf.push_back(w);
  graph.ranges.emplace_back(b, e);
}

StepGraph build_graph(const InnerTrainer& tr, const InnerData& d, int64_t t,
                      const TensorList& params, bool per_token, FiniteWatch& losses) {
  StepGraph graph;
  graph.params_leaf = leaves_of(params);
  for (auto [b, e] : tr.micro_batches(t)) add_micro_graph(tr, d, t, b, e, graph, per_token, losses);
  return graph;
}

OptState forward_pass(const InnerTrainer& tr, const InnerData& d, const CheckpointPlan& plan,
                      OptState s, const ForwardOptions& o, ForwardSinks sinks) {
  torch::AutoGradMode grad_on(plan.unroll || plan.forward_graphs || torch::GradMode::is_enabled());
  if (plan.unroll)
    for (auto& p : s.params) p.requires_grad_(true);
  FiniteWatch losses;
  for (int64_t t = o.first; t <= o.last; ++t) {
    if (o.cancelled && o.cancelled()) throw Cancelled();
    const bool store = plan.stores(t);
    TensorList g;
    if (plan.unroll) {
      g = unrolled_gradient(tr, d, t, s, o.w, losses);
    } else if (store && plan.forward_graphs) {  // g_t with its graph, kept for the reverse
      auto graph = build_graph(tr, d, t, s.params, o.per_token, losses);
      g = sum_detached(graph.g);
      tr.all_reduce(g);  // this rank's slice of g_t → the whole g_t
      sinks.graphs->emplace(t, std::move(graph));
    } else {
      g = tr.gradient(s.params, d, t, o.w, &losses);
    }
    if (store) sinks.states->put(t, {s, plan.stored_with_g ? g : TensorList{}});
    if (t < o.last || o.final_update) {
      if (plan.unroll) {
        s = tr.update(s, g, t);  // s_t = update(s_{t−1}, g_t), differentiable
      } else {
        torch::NoGradGuard ng;
        s = tr.update(s, g, t);
      }
    }
    if (o.step_done) o.step_done(t);
  }
  losses.check("inner loss");
  return s;
}

}  // namespace dpg::engine
