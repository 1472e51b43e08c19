// SPDX-License-Identifier: MIT
#include "core/dpg/metagrad.h"

#include "core/dpg/errors.h"
#include "core/dpg/forward.h"
#include "core/dpg/optimizer_vjp.h"
#include "core/dpg/precision.h"
#include "core/dpg/state_store.h"
#include "core/log/log.h"
#include "core/model/errors.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace dpg::engine {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// τ as the reverse pass writes it: [n] or [n, L − 1] on the trainer's device, and whether each
// step's part stayed finite (checked once, when the pass ends).
struct TauSink {
  torch::Tensor tau;
  FiniteWatch finite;
};

// Writes the τ of micro-batch j of @p graph from its w gradient (zeros where w had no path to Φ).
void write_tau(const StepGraph& graph, size_t j, const torch::Tensor& grad, TauSink& out,
               int64_t t) {
  auto [b, e] = graph.ranges[j];
  auto tj = grad.defined() ? grad.to(torch::kFloat64)
                           : torch::zeros(graph.w_leaf[j].sizes(),
                                          graph.w_leaf[j].options().dtype(torch::kFloat64));
  out.finite.add(t, tj);
  out.tau.narrow(0, b, e - b).copy_(tj);
}

// ∇_{φ, w}⟨g, ḡ⟩ for the micro-batches in @p graph: adds the HVP into lam_params, writes τ.
void double_backward(const StepGraph& graph, const TensorList& gbar, TensorList& lam_params,
                     TauSink& tau, int64_t t) {
  TensorList outputs, grad_outputs, inputs = graph.params_leaf;
  for (size_t j = 0; j < graph.g.size(); ++j) {
    for (size_t k = 0; k < gbar.size(); ++k) {
      if (!graph.g[j][k].requires_grad()) continue;
      outputs.push_back(graph.g[j][k]);
      grad_outputs.push_back(gbar[k]);
    }
    inputs.push_back(graph.w_leaf[j]);
  }
  auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, false, false, true);
  const size_t np = graph.params_leaf.size();
  for (size_t k = 0; k < np; ++k)
    if (grads[k].defined()) lam_params[k].add_(grads[k]);
  for (size_t j = 0; j < graph.ranges.size(); ++j) write_tau(graph, j, grads[np + j], tau, t);
}

// Autograd instead of the closed form: back-propagates λ_t through s_t = update(s_{t−1}, g_t).
void reverse_autograd(const InnerTrainer& tr, int64_t t, const OptState& prev,
                      const StepGraph& graph, Adjoint& lam, TauSink& tau) {
  const bool adam = tr.config().optimizer == InnerOptimizer::AdamW;
  OptState in;
  in.params = graph.params_leaf;
  if (adam) {
    in.m = leaves_of(prev.m);
    in.v = leaves_of(prev.v);
  }
  TensorList g = graph.g[0];
  for (size_t j = 1; j < graph.g.size(); ++j)
    for (size_t k = 0; k < g.size(); ++k) g[k] = g[k] + graph.g[j][k];
  OptState out = tr.update(in, g, t);
  TensorList outputs = out.params, grad_outputs = lam.params, inputs = in.params;
  auto append = [](TensorList& to, const TensorList& from) {
    to.insert(to.end(), from.begin(), from.end());
  };
  if (adam) {
    for (const auto* x : {&out.m, &out.v}) append(outputs, *x);
    for (const auto* x : {&lam.m, &lam.v}) append(grad_outputs, *x);
    for (const auto* x : {&in.m, &in.v}) append(inputs, *x);
  }
  append(inputs, graph.w_leaf);
  auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, false, false, true);
  const size_t np = in.params.size();
  auto take = [&](size_t i, const torch::Tensor& like) {
    return grads[i].defined() ? grads[i] : torch::zeros_like(like);
  };
  for (size_t k = 0; k < np; ++k) lam.params[k] = take(k, in.params[k]);
  if (adam) {
    for (size_t k = 0; k < np; ++k) lam.m[k] = take(np + k, in.m[k]);
    for (size_t k = 0; k < np; ++k) lam.v[k] = take(2 * np + k, in.v[k]);
  }
  const size_t w0 = inputs.size() - graph.w_leaf.size();
  for (size_t j = 0; j < graph.ranges.size(); ++j)
    write_tau(graph, j, take(w0 + j, graph.w_leaf[j]), tau, t);
}

/// The reverse pass: carries λ_t from t = T down to 1 and writes τ.
class Reverse {
 public:
  Reverse(const InnerTrainer& tr, const InnerData& d, const MetagradOptions& o, MetagradResult& r)
      : tr_(tr), d_(d), o_(o), r_(r) {
    // Shaped like the weights: [n], or [n, L − 1] per token (split into τ and τ_tokens at the end).
    tau_.tau = torch::zeros(weight_shape(d.size(), d, o.per_token),
                            tr.weight_options().dtype(torch::kFloat64));
  }

  /// The recomputed losses and τ, checked once; τ into the result (still on the device).
  void finish() {
    losses_.check("inner loss");
    tau_.finite.check("tau");
    r_.tau = tau_.tau;
  }

  /// λ_T = (∂Φ/∂φ_T, 0, 0) and Φ itself.
  void seed(const PhiFn& Phi_fn, const TensorList& params_T) {
    auto t0 = Clock::now();
    auto leaves = leaves_of(params_T);
    auto Phi = Phi_fn(tr_.to_map(leaves), tr_.params0());
    r_.Phi = Phi.item<double>();
    if (!std::isfinite(r_.Phi)) throw NonFiniteError(0, "Φ (the objective at φ_T)");
    auto grads = torch::autograd::grad({Phi}, leaves, {}, false, false, true);
    for (size_t k = 0; k < leaves.size(); ++k) {
      lam_.params.push_back(grads[k].defined() ? grads[k] : torch::zeros_like(leaves[k]));
      if (tr_.config().optimizer == InnerOptimizer::AdamW) {
        lam_.m.push_back(torch::zeros_like(leaves[k]));
        lam_.v.push_back(torch::zeros_like(leaves[k]));
      }
    }
    r_.timings.Phi_s += seconds_since(t0);
  }

  /// One reverse step t given s_{t−1}, g_t, and optionally g_t's kept graph.
  void step(int64_t t, const OptState& prev, const TensorList& g, const StepGraph* kept) {
    if (o_.cancelled && o_.cancelled()) throw Cancelled();
    if (!o_.closed_form_vjp) return step_autograd(t, prev, kept);
    auto t0 = Clock::now();
    auto gbar = optimizer_vjp(tr_.config(), prev, g, t, lam_);
    r_.timings.vjp_s += seconds_since(t0);
    // Data parallel: this rank's part of the HVP is summed apart, then over the ranks.
    TensorList hvp;
    if (tr_.collective())
      for (const auto& x : lam_.params) hvp.push_back(torch::zeros_like(x));
    TensorList& into = tr_.collective() ? hvp : lam_.params;
    if (kept) {
      t0 = Clock::now();
      double_backward(*kept, gbar, into, tau_, t);
      r_.timings.double_backward_s += seconds_since(t0);
    } else {
      rebuilt_double_backward(t, prev, gbar, into);
    }
    if (tr_.collective()) {
      t0 = Clock::now();
      tr_.all_reduce(hvp);
      for (size_t k = 0; k < hvp.size(); ++k) lam_.params[k].add_(hvp[k]);
      r_.timings.double_backward_s += seconds_since(t0);
    }
  }

 private:
  // Micro-batched: rebuilds and consumes one micro-batch graph at a time.
  void rebuilt_double_backward(int64_t t, const OptState& prev, const TensorList& gbar,
                               TensorList& into) {
    StepGraph graph;
    graph.params_leaf = leaves_of(prev.params);
    for (auto [b, e] : tr_.micro_batches(t)) {
      auto t0 = Clock::now();
      add_micro_graph(tr_, d_, t, b, e, graph, o_.per_token, losses_);
      r_.timings.recompute_s += seconds_since(t0);
      t0 = Clock::now();
      double_backward(graph, gbar, into, tau_, t);
      r_.timings.double_backward_s += seconds_since(t0);
      graph.g.clear();
      graph.w_leaf.clear();
      graph.ranges.clear();
    }
  }

  void step_autograd(int64_t t, const OptState& prev, const StepGraph* kept) {
    auto t0 = Clock::now();
    StepGraph fresh;
    if (!kept) fresh = build_graph(tr_, d_, t, prev.params, o_.per_token, losses_);
    r_.timings.recompute_s += seconds_since(t0);
    t0 = Clock::now();
    reverse_autograd(tr_, t, prev, kept ? *kept : fresh, lam_, tau_);
    r_.timings.double_backward_s += seconds_since(t0);
  }

  const InnerTrainer& tr_;
  const InnerData& d_;
  const MetagradOptions& o_;
  MetagradResult& r_;
  Adjoint lam_;
  TauSink tau_;
  FiniteWatch losses_;
};

void report(const MetagradOptions& o, int64_t done, int64_t total, const std::string& phase) {
  if (o.progress) o.progress(done, total, phase);
}

// What the forward and the reverse share.
struct Pass {
  const InnerTrainer& tr;
  const InnerData& d;
  const CheckpointPlan& plan;
  const MetagradOptions& o;
  MetagradResult& r;
};

// Reverses the steps of @p seg, last first: from the stored states and graphs, or, where the plan
// recomputes, from a forward over the segment started at its stored s_{first−1}. Returns the bytes
// of states that the recomputation held.
int64_t reverse_segment(const Pass& p, Reverse& rev, const Segment& seg, StateStore& stored,
                        KeptGraphs& kept) {
  const int64_t T = p.tr.config().T;
  StateStore recomputed;
  StateStore* from = &stored;
  if (p.plan.recomputes()) {
    const auto t0 = Clock::now();
    ForwardOptions fo;
    fo.first = seg.first;
    fo.last = seg.last;
    fo.final_update = false;
    fo.per_token = p.o.per_token;
    fo.cancelled = p.o.cancelled;
    forward_pass(p.tr, p.d, p.plan.recompute_plan(seg), stored.take(seg.first).state, fo,
                 {&recomputed, &kept});
    p.r.timings.recompute_s += seconds_since(t0);
    from = &recomputed;
  }
  for (int64_t t = seg.last; t >= seg.first; --t) {
    auto e = from->take(t);
    auto it = kept.find(t);
    rev.step(t, e.state, e.g, it == kept.end() ? nullptr : &it->second);
    if (it != kept.end()) kept.erase(it);
    report(p.o, 2 * T - t + 1, 2 * T, "reverse");
  }
  return recomputed.peak_bytes();
}

ForwardOptions main_forward(const Pass& p) {
  ForwardOptions fo;
  fo.first = 1;
  fo.last = p.tr.config().T;
  fo.per_token = p.o.per_token;
  fo.cancelled = p.o.cancelled;
  fo.step_done = [&p](int64_t t) { report(p.o, t, 2 * p.tr.config().T, "forward"); };
  return fo;
}

// The checkpointed schedules: forward storing per the plan, then the reverse segment by segment.
void checkpointed(const Pass& p, const PhiFn& Phi_fn) {
  StateStore stored(p.plan.keeps_graphs() ? std::string() : p.o.spill_dir);
  KeptGraphs kept;
  auto t0 = Clock::now();
  auto s = forward_pass(p.tr, p.d, p.plan, p.tr.initial_state(), main_forward(p), {&stored, &kept});
  p.r.timings.forward_s = seconds_since(t0);
  p.r.params_T = p.tr.to_map(s.params);

  log::stage("reverse pass");
  t0 = Clock::now();
  Reverse rev(p.tr, p.d, p.o, p.r);
  rev.seed(Phi_fn, s.params);
  int64_t peak_segment = 0;
  for (const auto& seg : p.plan.segments)
    peak_segment = std::max(peak_segment, reverse_segment(p, rev, seg, stored, kept));
  rev.finish();
  p.r.timings.reverse_s = seconds_since(t0) - p.r.timings.Phi_s;
  p.r.peak_stored_bytes = stored.peak_bytes() + peak_segment;
}

// The reference: one graph through all T steps, w a leaf, τ = ∂Φ/∂w by plain autograd.
void unrolled(const Pass& p, const PhiFn& Phi_fn) {
  auto fo = main_forward(p);
  fo.w = torch::ones(weight_shape(p.d.size(), p.d, p.o.per_token), p.tr.weight_options())
             .requires_grad_(true);
  auto t0 = Clock::now();
  auto s = forward_pass(p.tr, p.d, p.plan, p.tr.initial_state(), fo);
  p.r.timings.forward_s = seconds_since(t0);
  t0 = Clock::now();
  auto Phi = Phi_fn(p.tr.to_map(s.params), p.tr.params0());
  p.r.Phi = Phi.item<double>();
  if (!std::isfinite(p.r.Phi)) throw NonFiniteError(0, "Φ (the objective at φ_T)");
  p.r.tau = torch::autograd::grad({Phi}, {fo.w})[0].detach().to(torch::kFloat64);
  if (!torch::isfinite(p.r.tau).all().item<bool>()) throw NonFiniteError(0, "tau");
  p.r.timings.reverse_s = seconds_since(t0);
  for (auto& x : s.params) x = x.detach();
  p.r.params_T = p.tr.to_map(s.params);
}

int64_t state_bytes(const InnerTrainer& tr) {
  int64_t p = 0;
  for (const auto& [n, t] : tr.params0()) p += int64_t(t.nbytes());
  const int64_t copies = tr.config().optimizer == InnerOptimizer::AdamW ? 4 : 2;  // φ, m, v, g
  return p * copies;
}

// A rough size of one step's create_graph graph: saved activations of the forward, the backward
// that create_graph keeps, and the parameter-sized gradient intermediates.
int64_t graph_bytes(const InnerTrainer& tr, int64_t seq_len, int64_t examples) {
  const auto& c = tr.model_config();
  const int64_t elem = tr.dtype() == torch::kFloat64 ? 8 : 4;
  const int64_t per_token =
      c.n_layer * (20 * c.d_model + 3 * c.d_ff + 4 * c.n_head * seq_len) + 4 * c.vocab_size;
  return 2 * examples * seq_len * per_token * elem + 2 * state_bytes(tr);
}

}  // namespace

StepSizes step_sizes(const InnerTrainer& tr, int64_t L) {
  return {state_bytes(tr), graph_bytes(tr, L, tr.B()), graph_bytes(tr, L, tr.micro())};
}

int64_t estimate_memory(const InnerTrainer& tr, int64_t L, Schedule s) {
  return estimate_memory(tr.config().T, step_sizes(tr, L), s);
}

std::pair<Schedule, std::string> choose_schedule(const InnerTrainer& tr, int64_t L,
                                                 int64_t budget) {
  return choose_schedule(tr.config().T, step_sizes(tr, L), budget);
}

MetagradResult metagrad(const InnerTrainer& tr, const InnerData& host_data, const PhiFn& Phi_fn,
                        const MetagradOptions& o) {
  tr.check_data(host_data);
  const ExactScope exact(tr.device());  // τ in inner.dtype whatever run.precision the caller holds
  const InnerData d = tr.to_device(host_data);
  torch::AutoGradMode grad_on(true);
  const auto t_start = Clock::now();
  const auto plan = checkpoint_plan(tr.config().T, o.schedule, step_sizes(tr, d.seq_len()),
                                    o.memory_budget_bytes);
  MetagradResult r;
  r.schedule = plan.schedule;
  r.schedule_reason = plan.reason;
  {
    torch::NoGradGuard ng;
    r.Phi_initial = Phi_fn(tr.params0(), tr.params0()).item<double>();
  }
  if (tr.collective() && (plan.unroll || !o.closed_form_vjp)) {
    throw model::ConfigError(
        "data parallel: the metagradient needs a checkpointed schedule with the closed-form "
        "optimizer VJP (not unroll)");
  }
  const Pass pass{tr, d, plan, o, r};
  if (plan.unroll) {
    unrolled(pass, Phi_fn);
  } else {
    checkpointed(pass, Phi_fn);
  }
  if (tr.collective()) {  // each rank wrote τ of its own examples, zeros elsewhere
    TensorList tau{r.tau};
    tr.all_reduce(tau);
    r.tau = tau[0];
  }
  r.tau = r.tau.cpu();  // the result's one read-back of τ
  if (o.per_token) {    // τ_i = Σ_j τ_ij: the loss is linear in w
    r.tau_tokens = r.tau;
    r.tau = r.tau_tokens.sum(1);
  }
  r.timings.total_s = seconds_since(t_start);
  return r;
}

}  // namespace dpg::engine
