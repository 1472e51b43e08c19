// SPDX-License-Identifier: MIT
#include "core/dpg/metagrad.h"

#include "core/dpg/errors.h"
#include "core/dpg/optimizer_vjp.h"
#include "core/dpg/state_store.h"
#include "core/model/errors.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace dpg::engine {
namespace {

using Clock = std::chrono::steady_clock;
using TensorList = std::vector<torch::Tensor>;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// g_t with its first-order graph: leaves φ_{t−1} and one w leaf per micro-batch.
struct StepGraph {
  TensorList phi_leaf;
  TensorList w_leaf;           // one [e − b] (or per-token [e − b, L − 1]) leaf per micro-batch
  std::vector<TensorList> g;   // one gradient list per micro-batch, create_graph
  std::vector<std::pair<int64_t, int64_t>> ranges;
};

TensorList leaves_of(const TensorList& phi) {
  TensorList out;
  for (const auto& p : phi) out.push_back(p.detach().requires_grad_(true));
  return out;
}

// Shape of the example weights w (and of the τ buffer) for @p rows examples: [rows], or [rows, L − 1] per token.
std::vector<int64_t> weight_shape(int64_t rows, const InnerData& d, bool per_token) {
  if (per_token) return {rows, d.seq_len() - 1};
  return {rows};
}

// Builds g for micro-batch [b, e) of step t with create_graph, appending to @p graph.
void add_micro_graph(const InnerTrainer& tr, const InnerData& d, int64_t t, int64_t b, int64_t e,
                     StepGraph& graph, bool per_token) {
  auto w = torch::ones(weight_shape(e - b, d, per_token), torch::TensorOptions().dtype(tr.config().dtype))
               .requires_grad_(true);
  auto l = tr.loss(graph.phi_leaf, d, b, e, w);
  if (!std::isfinite(l.item<double>())) throw NonFiniteError(t, "inner loss");
  graph.g.push_back(torch::autograd::grad({l}, graph.phi_leaf, {}, true, true));
  graph.w_leaf.push_back(w);
  graph.ranges.emplace_back(b, e);
}

StepGraph build_graph(const InnerTrainer& tr, const InnerData& d, int64_t t, const TensorList& phi,
                      bool per_token) {
  StepGraph graph;
  graph.phi_leaf = leaves_of(phi);
  for (auto [b, e] : tr.micro_batches(t)) add_micro_graph(tr, d, t, b, e, graph, per_token);
  return graph;
}

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

// ∇_{φ, w}⟨g, ḡ⟩ for the micro-batches in @p graph: adds the HVP into lam_phi, writes τ.
void double_backward(const StepGraph& graph, const TensorList& gbar, TensorList& lam_phi,
                     torch::Tensor& tau, int64_t t) {
  TensorList outputs, grad_outputs, inputs = graph.phi_leaf;
  for (size_t j = 0; j < graph.g.size(); ++j) {
    for (size_t k = 0; k < gbar.size(); ++k) {
      if (!graph.g[j][k].requires_grad()) continue;
      outputs.push_back(graph.g[j][k]);
      grad_outputs.push_back(gbar[k]);
    }
    inputs.push_back(graph.w_leaf[j]);
  }
  auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, false, false, true);
  const size_t np = graph.phi_leaf.size();
  for (size_t k = 0; k < np; ++k)
    if (grads[k].defined()) lam_phi[k].add_(grads[k]);
  for (size_t j = 0; j < graph.ranges.size(); ++j) {
    auto [b, e] = graph.ranges[j];
    auto tj = grads[np + j].defined() ? grads[np + j].to(torch::kFloat64)
                                      : torch::zeros(graph.w_leaf[j].sizes(), torch::kFloat64);
    if (!torch::isfinite(tj).all().item<bool>()) throw NonFiniteError(t, "tau");
    tau.narrow(0, b, e - b).copy_(tj);
  }
}

// Autograd instead of the closed form: back-propagates λ_t through s_t = update(s_{t−1}, g_t).
void reverse_autograd(const InnerTrainer& tr, int64_t t, const OptState& prev,
                      const StepGraph& graph, Adjoint& lam, torch::Tensor& tau) {
  const bool adam = tr.config().optimizer == InnerOptimizer::AdamW;
  OptState in;
  in.phi = graph.phi_leaf;
  if (adam) {
    in.m = leaves_of(prev.m);
    in.v = leaves_of(prev.v);
  }
  TensorList g = graph.g[0];
  for (size_t j = 1; j < graph.g.size(); ++j)
    for (size_t k = 0; k < g.size(); ++k) g[k] = g[k] + graph.g[j][k];
  OptState out = tr.update(in, g, t);
  TensorList outputs = out.phi, grad_outputs = lam.phi, inputs = in.phi;
  if (adam) {
    outputs.insert(outputs.end(), out.m.begin(), out.m.end());
    outputs.insert(outputs.end(), out.v.begin(), out.v.end());
    grad_outputs.insert(grad_outputs.end(), lam.m.begin(), lam.m.end());
    grad_outputs.insert(grad_outputs.end(), lam.v.begin(), lam.v.end());
    inputs.insert(inputs.end(), in.m.begin(), in.m.end());
    inputs.insert(inputs.end(), in.v.begin(), in.v.end());
  }
  inputs.insert(inputs.end(), graph.w_leaf.begin(), graph.w_leaf.end());
  auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, false, false, true);
  const size_t np = in.phi.size();
  auto take = [&](size_t i, const torch::Tensor& like) {
    return grads[i].defined() ? grads[i] : torch::zeros_like(like);
  };
  for (size_t k = 0; k < np; ++k) lam.phi[k] = take(k, in.phi[k]);
  if (adam) {
    for (size_t k = 0; k < np; ++k) lam.m[k] = take(np + k, in.m[k]);
    for (size_t k = 0; k < np; ++k) lam.v[k] = take(2 * np + k, in.v[k]);
  }
  const size_t w0 = inputs.size() - graph.w_leaf.size();
  for (size_t j = 0; j < graph.ranges.size(); ++j) {
    auto [b, e] = graph.ranges[j];
    auto tj = take(w0 + j, graph.w_leaf[j]).to(torch::kFloat64);
    if (!torch::isfinite(tj).all().item<bool>()) throw NonFiniteError(t, "tau");
    tau.narrow(0, b, e - b).copy_(tj);
  }
}

class Reverse {
 public:
  Reverse(const InnerTrainer& tr, const InnerData& d, const MetagradOptions& o, MetagradResult& r)
      : tr_(tr), d_(d), o_(o), r_(r) {
    // Shaped like the weights: [n], or [n, L − 1] per token (split into τ and τ_tokens at the end).
    r_.tau = torch::zeros(weight_shape(d.size(), d, o.per_token), torch::kFloat64);
  }

  /// λ_T = (∂Φ/∂φ_T, 0, 0) and Φ itself.
  void seed(const PhiFn& phi_fn, const TensorList& phi_T) {
    auto t0 = Clock::now();
    auto leaves = leaves_of(phi_T);
    auto phi = phi_fn(tr_.to_map(leaves), tr_.phi0());
    r_.phi = phi.item<double>();
    if (!std::isfinite(r_.phi)) throw NonFiniteError(0, "phi (the objective at φ_T)");
    auto grads = torch::autograd::grad({phi}, leaves, {}, false, false, true);
    for (size_t k = 0; k < leaves.size(); ++k) {
      lam_.phi.push_back(grads[k].defined() ? grads[k] : torch::zeros_like(leaves[k]));
      if (tr_.config().optimizer == InnerOptimizer::AdamW) {
        lam_.m.push_back(torch::zeros_like(leaves[k]));
        lam_.v.push_back(torch::zeros_like(leaves[k]));
      }
    }
    r_.timings.phi_s += seconds_since(t0);
  }

  /// One reverse step t given s_{t−1}, g_t, and optionally g_t's kept graph.
  void step(int64_t t, const OptState& prev, const TensorList& g, const StepGraph* kept) {
    if (o_.cancelled && o_.cancelled()) throw Cancelled();
    if (!o_.closed_form_vjp) {
      auto t0 = Clock::now();
      StepGraph fresh;
      if (!kept) fresh = build_graph(tr_, d_, t, prev.phi, o_.per_token);
      r_.timings.recompute_s += seconds_since(t0);
      t0 = Clock::now();
      reverse_autograd(tr_, t, prev, kept ? *kept : fresh, lam_, r_.tau);
      r_.timings.double_backward_s += seconds_since(t0);
      return;
    }
    auto t0 = Clock::now();
    auto gbar = optimizer_vjp(tr_.config(), prev, g, t, lam_);
    r_.timings.vjp_s += seconds_since(t0);
    if (kept) {
      t0 = Clock::now();
      double_backward(*kept, gbar, lam_.phi, r_.tau, t);
      r_.timings.double_backward_s += seconds_since(t0);
      return;
    }
    // Micro-batched: rebuild and consume one micro-batch graph at a time.
    StepGraph graph;
    graph.phi_leaf = leaves_of(prev.phi);
    for (auto [b, e] : tr_.micro_batches(t)) {
      t0 = Clock::now();
      add_micro_graph(tr_, d_, t, b, e, graph, o_.per_token);
      r_.timings.recompute_s += seconds_since(t0);
      t0 = Clock::now();
      double_backward(graph, gbar, lam_.phi, r_.tau, t);
      r_.timings.double_backward_s += seconds_since(t0);
      graph.g.clear();
      graph.w_leaf.clear();
      graph.ranges.clear();
    }
  }

 private:
  const InnerTrainer& tr_;
  const InnerData& d_;
  const MetagradOptions& o_;
  MetagradResult& r_;
  Adjoint lam_;
};

void report(const MetagradOptions& o, int64_t done, int64_t total, const std::string& phase) {
  if (o.progress) o.progress(done, total, phase);
}
void check_cancel(const MetagradOptions& o) {
  if (o.cancelled && o.cancelled()) throw Cancelled();
}

int64_t state_bytes(const InnerTrainer& tr) {
  int64_t p = 0;
  for (const auto& [n, t] : tr.phi0()) p += int64_t(t.nbytes());
  const int64_t copies = tr.config().optimizer == InnerOptimizer::AdamW ? 4 : 2;  // φ, m, v, g
  return p * copies;
}

// A rough size of one step's create_graph graph: saved activations of the forward, the backward
// that create_graph keeps, and the parameter-sized gradient intermediates.
int64_t graph_bytes(const InnerTrainer& tr, int64_t seq_len, int64_t examples) {
  const auto& c = tr.model_config();
  const int64_t elem = tr.config().dtype == torch::kFloat64 ? 8 : 4;
  const int64_t per_token = c.n_layer * (20 * c.d_model + 3 * c.d_ff + 4 * c.n_head * seq_len) + 4 * c.vocab_size;
  return 2 * examples * seq_len * per_token * elem + 2 * state_bytes(tr);
}

}  // namespace

std::string schedule_name(Schedule s) {
  switch (s) {
    case Schedule::Auto: return "auto";
    case Schedule::All: return "all";
    case Schedule::Sqrt: return "sqrt";
    case Schedule::AllGraphs: return "all+graphs";
    case Schedule::SqrtGraphs: return "sqrt+graphs";
    case Schedule::Unroll: return "unroll";
  }
  return "?";
}

Schedule parse_schedule(const std::string& n) {
  for (auto s : {Schedule::Auto, Schedule::All, Schedule::Sqrt, Schedule::AllGraphs, Schedule::SqrtGraphs, Schedule::Unroll})
    if (schedule_name(s) == n) return s;
  throw model::ConfigError("inner.schedule: '" + n + "' is not one of auto, all, sqrt, all+graphs, sqrt+graphs, unroll");
}

int64_t estimate_memory(const InnerTrainer& tr, int64_t L, Schedule s) {
  const int64_t T = tr.config().T, k = int64_t(std::ceil(std::sqrt(double(T))));
  const int64_t S = state_bytes(tr);
  const int64_t G = graph_bytes(tr, L, tr.config().B), Gmb = graph_bytes(tr, L, tr.config().micro());
  switch (s) {
    case Schedule::AllGraphs: return T * (S + G);
    case Schedule::SqrtGraphs: return (T / k + 1) * S + k * (S + G);
    case Schedule::All: return T * S + Gmb;
    case Schedule::Sqrt: return (T / k + 1 + k) * S + Gmb;
    case Schedule::Unroll: return T * (S + G) + T * S;
    case Schedule::Auto: break;
  }
  return 0;
}

std::pair<Schedule, std::string> choose_schedule(const InnerTrainer& tr, int64_t L, int64_t budget) {
  for (auto s : {Schedule::AllGraphs, Schedule::SqrtGraphs, Schedule::All, Schedule::Sqrt}) {
    const int64_t need = estimate_memory(tr, L, s);
    if (need <= budget || s == Schedule::Sqrt) {
      std::string why = schedule_name(s) + ": needs ~" + std::to_string(need >> 20) + " MiB of the " +
                        std::to_string(budget >> 20) + " MiB budget";
      if (need > budget) why += " (over budget: no schedule fits; consider spill_dir or micro_batch)";
      return {s, why};
    }
  }
  return {Schedule::Sqrt, "sqrt"};
}

MetagradResult metagrad(const InnerTrainer& tr, const InnerData& d, const PhiFn& phi_fn,
                        const MetagradOptions& o) {
  tr.check_data(d);
  torch::AutoGradMode grad_on(true);
  const auto t_start = Clock::now();
  MetagradResult r;
  r.schedule = o.schedule;
  if (o.schedule == Schedule::Auto) {
    std::tie(r.schedule, r.schedule_reason) = choose_schedule(tr, d.seq_len(), o.memory_budget_bytes);
  } else {
    r.schedule_reason = schedule_name(o.schedule) + " (requested)";
  }
  const int64_t T = tr.config().T;
  const auto& cfg = tr.model_config();
  r.head_before = model::lm_head_weight(cfg, tr.phi0()).clone();
  {
    torch::NoGradGuard ng;
    r.phi_initial = phi_fn(tr.phi0(), tr.phi0()).item<double>();
  }

  if (r.schedule == Schedule::Unroll) {
    // Reference: one graph through all T steps, w a leaf, τ = ∂Φ/∂w by plain autograd.
    auto w = torch::ones(weight_shape(d.size(), d, o.per_token), torch::TensorOptions().dtype(tr.config().dtype))
                 .requires_grad_(true);
    auto s = tr.initial_state();
    for (auto& p : s.phi) p.requires_grad_(true);
    auto t0 = Clock::now();
    for (int64_t t = 1; t <= T; ++t) {
      check_cancel(o);
      TensorList g;
      for (auto [b, e] : tr.micro_batches(t)) {
        auto l = tr.loss(s.phi, d, b, e, w.narrow(0, b, e - b));
        if (!std::isfinite(l.item<double>())) throw NonFiniteError(t, "inner loss");
        auto gm = torch::autograd::grad({l}, s.phi, {}, true, true);
        if (g.empty()) g = gm;
        else for (size_t k = 0; k < g.size(); ++k) g[k] = g[k] + gm[k];
      }
      s = tr.update(s, g, t);
      report(o, t, 2 * T, "forward");
    }
    r.timings.forward_s = seconds_since(t0);
    t0 = Clock::now();
    auto phi = phi_fn(tr.to_map(s.phi), tr.phi0());
    r.phi = phi.item<double>();
    if (!std::isfinite(r.phi)) throw NonFiniteError(0, "phi (the objective at φ_T)");
    r.tau = torch::autograd::grad({phi}, {w})[0].detach().to(torch::kFloat64);
    if (!torch::isfinite(r.tau).all().item<bool>()) throw NonFiniteError(0, "tau");
    r.timings.reverse_s = seconds_since(t0);
    for (auto& p : s.phi) p = p.detach();
    r.phi_T = tr.to_map(s.phi);
  } else {
    const bool sqrt = r.schedule == Schedule::Sqrt || r.schedule == Schedule::SqrtGraphs;
    const bool graphs = r.schedule == Schedule::AllGraphs || r.schedule == Schedule::SqrtGraphs;
    const int64_t k = sqrt ? std::max<int64_t>(1, int64_t(std::ceil(std::sqrt(double(T))))) : 1;
    StateStore store(graphs ? std::string() : o.spill_dir);
    std::map<int64_t, StepGraph> kept;  // all+graphs only

    // Forward: 𝒜 itself, storing by the schedule.
    auto t0 = Clock::now();
    auto s = tr.initial_state();
    for (int64_t t = 1; t <= T; ++t) {
      check_cancel(o);
      TensorList g;
      if (r.schedule == Schedule::AllGraphs) {
        auto graph = build_graph(tr, d, t, s.phi, o.per_token);
        g = sum_detached(graph.g);
        kept.emplace(t, std::move(graph));
        store.put(t, {s, g});
      } else {
        g = tr.gradient(s.phi, d, t);
        if (!sqrt) store.put(t, {s, g});
        else if ((t - 1) % k == 0) store.put(t, {s, {}});
      }
      torch::NoGradGuard ng;
      s = tr.update(s, g, t);
      report(o, t, 2 * T, "forward");
    }
    r.timings.forward_s = seconds_since(t0);
    r.phi_T = tr.to_map(s.phi);

    t0 = Clock::now();
    Reverse rev(tr, d, o, r);
    rev.seed(phi_fn, s.phi);
    int64_t peak_segment = 0;
    if (!sqrt) {
      for (int64_t t = T; t >= 1; --t) {
        auto e = store.take(t);
        auto it = kept.find(t);
        rev.step(t, e.state, e.g, it == kept.end() ? nullptr : &it->second);
        if (it != kept.end()) kept.erase(it);
        report(o, 2 * T - t + 1, 2 * T, "reverse");
      }
    } else {
      // Segments [a, b] of k steps, last first: recompute from the stored s_{a−1}, then reverse.
      const int64_t nseg = (T + k - 1) / k;
      for (int64_t j = nseg - 1; j >= 0; --j) {
        const int64_t a = j * k + 1, b = std::min(T, (j + 1) * k);
        auto rc0 = Clock::now();
        auto first = store.take(a);
        std::vector<StoredStep> seg;
        std::vector<StepGraph> seg_graphs;
        OptState cur = first.state;
        for (int64_t t = a; t <= b; ++t) {
          check_cancel(o);
          TensorList g;
          if (graphs) {
            seg_graphs.push_back(build_graph(tr, d, t, cur.phi, o.per_token));
            g = sum_detached(seg_graphs.back().g);
          } else {
            g = tr.gradient(cur.phi, d, t);
          }
          seg.push_back({cur, g});
          if (t < b) {
            torch::NoGradGuard ng;
            cur = tr.update(cur, g, t);
          }
        }
        int64_t seg_bytes = 0;
        for (const auto& e : seg)
          for (const auto* v : {&e.state.phi, &e.state.m, &e.state.v, &e.g})
            for (const auto& x : *v) seg_bytes += int64_t(x.nbytes());
        peak_segment = std::max(peak_segment, seg_bytes);
        r.timings.recompute_s += seconds_since(rc0);
        for (int64_t t = b; t >= a; --t) {
          const size_t i = size_t(t - a);
          rev.step(t, seg[i].state, seg[i].g, graphs ? &seg_graphs[i] : nullptr);
          seg.pop_back();
          if (graphs) seg_graphs.pop_back();
          report(o, 2 * T - t + 1, 2 * T, "reverse");
        }
      }
    }
    r.timings.reverse_s = seconds_since(t0) - r.timings.phi_s;
    r.peak_stored_bytes = store.peak_bytes() + peak_segment;
  }
  if (o.per_token) {  // τ_i = Σ_j τ_ij: the loss is linear in w
    r.tau_tokens = r.tau;
    r.tau = r.tau_tokens.sum(1);
  }
  r.head_after = model::lm_head_weight(cfg, r.phi_T).detach().clone();
  r.timings.total_s = seconds_since(t_start);
  return r;
}

}  // namespace dpg::engine
