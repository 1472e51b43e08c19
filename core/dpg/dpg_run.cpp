// SPDX-License-Identifier: MIT
#include "core/dpg/dpg_run.h"

#include "core/config/device.h"
#include "core/dpg/dataset.h"
#include "core/dpg/errors.h"
#include "core/dpg/grpo.h"
#include "core/dpg/metagrad.h"
#include "core/dpg/precision.h"
#include "core/dpg/rank_share.h"
#include "core/dpg/rollout_stats.h"
#include "core/log/log.h"
#include "core/model/chat_template.h"
#include "core/model/errors.h"
#include "core/model/generate.h"
#include "core/model/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace dpg::engine {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// splitmix64 of (seed, step, stream): independent, reproducible streams per step.
uint64_t mix(uint64_t seed, int64_t step, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (uint64_t(step) * 16 + stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void add_images(StepRecord& rec, const ObjectiveView& v, const std::string& prefix) {
  if (!v.delta.empty()) rec.snapshots.push_back({prefix + "delta", v.delta});
  if (!v.sign.empty()) rec.snapshots.push_back({prefix + "sign", v.sign});
}

bool better(double a, double b, bool higher) {
  return higher ? a > b : a < b;
}

// θ's precision: float64 with run.precision = float64, else float32 (bf16 copies are made from it).
torch::ScalarType theta_dtype(config::Precision p) {
  return p == config::Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
}

}  // namespace

struct DpgRun::Rollouts {
  std::vector<std::string> prompts;
  std::vector<std::vector<int64_t>> prompt_ids;
  std::vector<std::vector<int64_t>> response_ids;
  std::vector<std::vector<float>> logprobs;
  std::vector<std::string> responses;
  int64_t new_tokens = 0;
  double seconds = 0;
};

DpgRun::DpgRun(RunInputs in)
    : in_(std::move(in)), device_(config::usable_device(in_.config.run.device)) {
  in_.config.validate();
  if (!in_.objective) throw model::ConfigError("objective: none given");
  in_.objective->check_compatible(in_.target.config);
  if (in_.stages.size() != in_.config.objective.stages.size())
    throw model::ConfigError(
        "objective.stages: " + std::to_string(in_.config.objective.stages.size()) +
        " in the config, " + std::to_string(in_.stages.size()) + " objectives given");
  for (size_t i = 0; i < in_.stages.size(); ++i) {
    const auto& st = in_.stages[i];
    if (!st.objective || st.objective->kind() != in_.objective->kind() ||
        st.from_step != in_.config.objective.stages[i]["from_step"].get<int64_t>())
      throw model::ConfigError("objective.stages[" + std::to_string(i) + "]: no " +
                               in_.objective->kind() + " objective from its from_step given");
    st.objective->check_compatible(in_.target.config);
  }
  // Token credit sums the target's per-byte τ over the bytes each generator token wrote, so the
  // target must read bytes; the generator may be byte-level or byte-level BPE (policy.h,
  // token_rewards).
  if (in_.config.grpo.credit == config::Credit::Token && in_.target.tokenizer->kind() != "byte")
    throw model::ConfigError(
        "grpo.credit: token credit needs a byte-level target tokenizer (this run's target is " +
        in_.target.tokenizer->kind() + "); use \"sequence\"");
  const auto dtype = theta_dtype(in_.config.run.precision);
  for (const auto& [n, t] : in_.generator.params) {
    theta_[n] = t.detach().to(device_, dtype).clone();
    theta_ref_[n] = t.detach().to(device_, dtype).clone();
  }
  in_.target.params = model::to_device(in_.target.params, device_);
  const auto& g = in_.config.grpo;
  opt_.beta1 = g.beta1;
  opt_.beta2 = g.beta2;
  opt_.weight_decay = g.weight_decay;
  best_metric_ = in_.objective->metric_higher_is_better() ? -std::numeric_limits<double>::infinity()
                                                          : std::numeric_limits<double>::infinity();
}

const Objective& DpgRun::objective_at(int64_t step) const {
  const Objective* obj = in_.objective.get();
  for (const auto& st : in_.stages)
    if (st.from_step <= step) obj = st.objective.get();
  return *obj;
}

void DpgRun::set_collective(Collective* c) {
  coll_ = c && c->world() > 1 ? c : nullptr;
}

bool DpgRun::agree_stop(bool stop) const {
  return coll_ ? any_rank(*coll_, stop) : stop;
}

void DpgRun::share_state() {
  if (!coll_) return;
  std::vector<torch::Tensor> head{
      torch::tensor({next_step_, opt_.t, best_step_, int64_t(opt_.m.empty() ? 0 : 1)})};
  std::vector<torch::Tensor> best{torch::tensor({best_metric_}, torch::kFloat64)};
  broadcast_from_first(*coll_, head);
  broadcast_from_first(*coll_, best);
  const auto h = head[0].accessor<int64_t, 1>();
  next_step_ = h[0];
  opt_.t = h[1];
  best_step_ = h[2];
  best_metric_ = best[0].item<double>();
  const bool moments = h[3] != 0;
  std::vector<torch::Tensor> state;  // θ, then AdamW's m and v, in the map's order
  for (auto& [n, t] : theta_) {
    state.push_back(t);
    if (moments && !opt_.m.count(n)) {
      opt_.m[n] = torch::zeros_like(t);
      opt_.v[n] = torch::zeros_like(t);
    }
  }
  if (moments)
    for (auto* map : {&opt_.m, &opt_.v})
      for (auto& [n, t] : *map) state.push_back(t);
  broadcast_from_first(*coll_, state);
  size_t k = 0;
  for (auto* map : {&theta_, &opt_.m, &opt_.v}) {
    if (map != &theta_ && !moments) break;
    for (auto& [n, t] : *map) t = state[k++];
  }
}

std::vector<int64_t> DpgRun::prompt_ids(const std::string& prompt) const {
  const auto& tok = *in_.generator.tokenizer;
  if (in_.config.generator.chat)
    return tok.encode(model::chat_prompt(prompt), /*parse_special=*/true);
  std::vector<int64_t> ids;
  if (tok.bos_id() >= 0) ids.push_back(tok.bos_id());
  auto body = tok.encode(prompt);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

DpgRun::Rollouts DpgRun::sample(const std::vector<std::string>& pool, int64_t count, uint64_t seed,
                                bool random_prompts, double temperature,
                                const std::atomic<bool>* cancel) const {
  const int64_t G = in_.config.grpo.group_size;
  std::vector<int64_t> pick(static_cast<size_t>(count));
  if (random_prompts) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    auto perm = at::randperm(int64_t(pool.size()), gen, torch::TensorOptions().dtype(torch::kLong));
    for (int64_t k = 0; k < count; ++k) pick[size_t(k)] = perm[k % perm.size(0)].item<int64_t>();
  } else {
    for (int64_t k = 0; k < count; ++k) pick[size_t(k)] = k % int64_t(pool.size());
  }
  Rollouts r;
  for (auto p : pick)
    for (int64_t j = 0; j < G; ++j) {  // the G rows of one prompt are adjacent: one group
      r.prompts.push_back(pool[size_t(p)]);
      r.prompt_ids.push_back(prompt_ids(pool[size_t(p)]));
    }
  // This rank's share of the rows, each sampled from its own uniform stream position (row-indexed
  // sampling), so the ranks' shares together are what one process samples.
  const int64_t rows = int64_t(r.prompt_ids.size());
  const auto mine = rank_slice(rows, coll_);
  const std::vector<std::vector<int64_t>> own(r.prompt_ids.begin() + mine.begin,
                                              r.prompt_ids.begin() + mine.end);
  model::GenerateOptions go;
  go.max_new_tokens = in_.config.grpo.max_new_tokens;
  go.min_new_tokens =
      in_.config.grpo.min_new_tokens;  // generate() caps it at max_new_tokens by itself
  go.temperature = temperature;
  go.top_p = in_.config.grpo.top_p;
  go.seed = seed + 1;
  go.cancel = cancel;
  go.rows_total = rows;
  go.row_offset = mine.begin;
  const auto precision = in_.config.run.precision;
  PrecisionScope tf32(precision, device_, /*autocast=*/false);  // bf16: from a bfloat16 copy of θ
  auto res = model::generate(in_.generator.config, generation_weights(theta_, precision),
                             *in_.generator.tokenizer, own, go);
  if (cancel && cancel->load()) throw Cancelled();
  r.response_ids = std::move(res.tokens);
  r.logprobs = std::move(res.logprobs);
  r.responses = std::move(res.texts);
  r.new_tokens = res.new_tokens;
  r.seconds = res.seconds;
  if (coll_) pool_rows(r, res.stopped, mine);
  return r;
}

void DpgRun::pool_rows(Rollouts& r, const std::vector<bool>& stopped, RowSlice mine) const {
  const int64_t rows = int64_t(r.prompt_ids.size());
  std::vector<std::vector<int64_t>> ended;
  for (bool b : stopped) ended.push_back({b ? 1 : 0});
  r.response_ids = all_gather_rows(*coll_, r.response_ids, mine, rows);
  r.logprobs = all_gather_rows(*coll_, r.logprobs, mine, rows);
  ended = all_gather_rows(*coll_, ended, mine, rows);
  r.responses.clear();
  r.new_tokens = 0;
  for (int64_t i = 0; i < rows; ++i) {
    const auto& ids = r.response_ids[size_t(i)];
    r.responses.push_back(
        model::response_text(*in_.generator.tokenizer, ids, ended[size_t(i)][0] != 0));
    r.new_tokens += int64_t(ids.size());
  }
}

// Stage 3–4's output: τ for every rollout (rows in rollout order), Φ and the train target's view.
struct DpgRun::Rewards {
  torch::Tensor tau;         ///< [n] float64: τ_i (DPG) or the run's Φ (naive)
  torch::Tensor tau_tokens;  ///< [n, seq_len − 1] with token credit, else undefined
  double Phi = 0;            ///< mean Φ over the inner runs
  ObjectiveView train_view;  ///< the view of inner run 0's φ_T
};

// Stage 5's output: the padded batch, the sequence advantages (kept for the records) and the
// advantages the update uses (per token with token credit).
struct DpgRun::Advantages {
  RolloutBatch batch;
  torch::Tensor sequence;
  torch::Tensor used;
};

StepRecord DpgRun::step(const std::atomic<bool>* cancel) {
  if (finished()) throw std::logic_error("DpgRun::step: the run has finished");
  if (coll_) cancel = nullptr;  // the ranks stop together, between steps (agree_stop)
  const int64_t s = next_step_;
  const auto t_step = Clock::now();
  StepRecord rec;
  auto& m = rec.metrics;
  m.step = s;
  m.val_Phi = m.val_metric = std::numeric_limits<double>::quiet_NaN();

  log::stage("step " + std::to_string(s) + ": generation");
  auto t0 = Clock::now();
  const Rollouts ro = sample_step(s, cancel);
  m.t_generate = since(t0);
  m.gen_tok_per_s = ro.seconds > 0 ? double(ro.new_tokens) / ro.seconds : 0.0;

  t0 = Clock::now();
  const Rewards rw = reward(s, ro, cancel);
  m.Phi = rw.Phi;
  m.metric = rw.train_view.metric;
  m.reward_mean = rw.tau.mean().item<double>();
  m.reward_std = rw.tau.size(0) > 1 ? rw.tau.std().item<double>() : 0.0;
  m.t_inner = since(t0);
  if (cancel && cancel->load()) throw Cancelled();

  // Not cancellable from here on: a cancelled step must leave θ untouched.
  log::stage("step " + std::to_string(s) + ": update");
  t0 = Clock::now();
  const Advantages adv = advantages(ro, rw);
  update(s, ro, adv, m);
  m.t_update = since(t0);

  record_samples(ro, rw, adv, rec);
  fill_rollout_stats(m, rec.samples, in_.config.grpo.group_size);
  validate_step(s, rec);
  record_snapshots(s, rw.train_view, rec);
  m.step_seconds = since(t_step);
  ++next_step_;
  return rec;
}

// 1–2. Prompts and G responses each.
DpgRun::Rollouts DpgRun::sample_step(int64_t s, const std::atomic<bool>* cancel) const {
  const auto& c = in_.config;
  return sample(in_.train_prompts, c.grpo.prompts_per_step, mix(c.seed, s, 1), true,
                c.grpo.temperature, cancel);
}

// The rows of inner run j of @p runs: a seeded shuffle of all rollouts (cross-group, one run), else
// response j of each prompt.
std::vector<int64_t> DpgRun::inner_run_rows(int64_t s, int64_t j, int64_t runs) const {
  const auto& c = in_.config;
  const int64_t P = c.grpo.prompts_per_step, G = c.grpo.group_size, n = P * G;
  std::vector<int64_t> idx;
  if (runs == 1) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(mix(c.seed, s, 2));
    auto perm = at::randperm(n, gen, torch::TensorOptions().dtype(torch::kLong));
    for (int64_t k = 0; k < n; ++k) idx.push_back(perm[k].item<int64_t>());
  } else {
    for (int64_t p = 0; p < P; ++p) idx.push_back(p * G + j);
  }
  return idx;
}

// 3–4. The target trains on the responses, re-tokenised with its tokenizer: τ from the metagradient
// (DPG), or the dataset-level Φ(𝒜(D_j)) for every example of run j (naive).
DpgRun::Rewards DpgRun::reward(int64_t s, const Rollouts& ro,
                               const std::atomic<bool>* cancel) const {
  const auto& c = in_.config;
  const int64_t n = c.grpo.prompts_per_step * c.grpo.group_size;
  const bool dpg = c.grpo.reward == config::Reward::Dpg;
  const int64_t runs = c.datasets_per_step();
  const auto& tcfg = in_.target.config;
  const Objective& obj = objective_at(s);
  const PhiFn Phi_fn = [&obj, &tcfg](const model::TensorMap& pT, const model::TensorMap& p0) {
    return obj.Phi(tcfg, pT, p0);
  };
  auto is_cancelled = [cancel] { return cancel && cancel->load(); };
  Rewards rw;
  rw.tau = torch::zeros({n}, torch::kFloat64);
  for (int64_t j = 0; j < runs; ++j) {
    log::stage("step " + std::to_string(s) + ": inner run " + std::to_string(j));
    const auto idx = inner_run_rows(s, j, runs);
    std::vector<std::string> texts;
    for (auto i : idx) texts.push_back(ro.responses[size_t(i)]);
    auto data = make_inner_data(*in_.target.tokenizer, texts, c.target.seq_len);
    InnerTrainer trainer(tcfg, in_.target.params, c.inner, c.inner_batch());
    trainer.set_collective(coll_);
    const auto params_T = dpg ? metagrad_rewards(trainer, data, Phi_fn, idx, is_cancelled, rw)
                              : naive_rewards(trainer, data, Phi_fn, idx, is_cancelled, rw);
    if (j == 0) rw.train_view = obj.view(tcfg, params_T, trainer.params0());
  }
  rw.Phi /= double(runs);
  return rw;
}

// τ of run @p idx's examples by the metagradient; adds its Φ to rw.Phi and returns φ_T.
model::TensorMap DpgRun::metagrad_rewards(const InnerTrainer& trainer, const InnerData& data,
                                          const PhiFn& Phi_fn, const std::vector<int64_t>& idx,
                                          const std::function<bool()>& cancelled,
                                          Rewards& rw) const {
  const auto& c = in_.config;
  const bool token_credit = c.grpo.credit == config::Credit::Token;
  MetagradOptions mo;
  mo.schedule = c.inner.schedule;
  mo.memory_budget_bytes = c.inner.memory_budget_bytes();
  mo.cancelled = cancelled;
  mo.per_token = token_credit;
  auto r = metagrad(trainer, data, Phi_fn, mo);
  for (size_t k = 0; k < idx.size(); ++k) rw.tau[idx[k]] = r.tau[int64_t(k)].item<double>();
  if (token_credit) {
    if (!rw.tau_tokens.defined())
      rw.tau_tokens = torch::zeros({rw.tau.size(0), r.tau_tokens.size(1)}, torch::kFloat64);
    rw.tau_tokens.index_copy_(0, torch::tensor(idx, torch::kLong), r.tau_tokens);
  }
  rw.Phi += r.Phi;
  return std::move(r.params_T);
}

// Every example of the run gets Φ(𝒜(D_j)); adds it to rw.Phi and returns φ_T.
model::TensorMap DpgRun::naive_rewards(const InnerTrainer& trainer, const InnerData& data,
                                       const PhiFn& Phi_fn, const std::vector<int64_t>& idx,
                                       const std::function<bool()>& cancelled, Rewards& rw) const {
  auto params_T = trainer.train(data, {}, cancelled);
  torch::NoGradGuard ng;
  const double Phi = Phi_fn(params_T, trainer.params0()).item<double>();
  if (!std::isfinite(Phi)) throw NonFiniteError(0, "Φ (naive reward)");
  for (auto i : idx) rw.tau[i] = Phi;
  rw.Phi += Phi;
  return params_T;
}

// 5. Advantages: per group (DPG) or over the whole batch (naive, "groupless"); with token credit,
//    Â_ij from the reward-to-go of τ_ij (its column 0 is the sequence advantage, kept for the
//    records).
DpgRun::Advantages DpgRun::advantages(const Rollouts& ro, const Rewards& rw) const {
  const auto& c = in_.config;
  const auto& tok = *in_.generator.tokenizer;
  const int64_t G = c.grpo.group_size;
  Advantages a;
  a.batch =
      make_rollout_batch(ro.prompt_ids, ro.response_ids, tok.eos_id() >= 0 ? tok.eos_id() : 0);
  a.sequence =
      c.grpo.reward == config::Reward::Dpg ? group_advantages(rw.tau, G) : batch_advantages(rw.tau);
  if (c.grpo.credit != config::Credit::Token) {
    a.used = a.sequence;
    return a;
  }
  auto r = token_rewards(rw.tau_tokens, a.batch, ro.prompt_ids,
                         response_token_bytes(tok, ro.response_ids), ro.responses);
  a.used = token_advantages(r, a.batch.response_mask, G);
  return a;
}

// 6. GRPO update: PPO-clipped, token-mean, one epoch of mini-batches. With a collective each rank
//    takes its slice of every mini-batch; each slice's token-mean gradient g_r, weighted by its
//    token count N_r, sums to the mini-batch's: g = Σ_r N_r·g_r / Σ_r N_r.
void DpgRun::update(int64_t s, const Rollouts& ro, const Advantages& a, StepMetrics& m) {
  const auto& c = in_.config;
  const auto& gcfg = in_.generator.config;
  const auto& batch = a.batch;
  const int64_t n = batch.tokens.size(0);
  const auto tokens = batch.tokens.to(device_), mask = batch.response_mask.to(device_),
             used = a.used.to(device_);
  const auto logp_old = align_logprobs(ro.logprobs, batch).to(device_);
  const int64_t mb_rows = std::max<int64_t>(1, c.grpo.minibatch_prompts) * c.grpo.group_size;
  const PolicyTerms terms{c.grpo.clip, c.grpo.kl_at(s), c.grpo.entropy_coef};
  opt_.lr = c.grpo.lr_at(s);
  // Sums over the whole batch: [tokens, NLL under θ₀, KL to θ₀, loss·N, clip·N, entropy].
  auto sums = torch::zeros({6}, torch::kFloat64);
  for (int64_t b = 0; b < n; b += mb_rows) {
    const auto part = rank_slice(std::min(n, b + mb_rows) - b, coll_);
    auto rows = [&](const torch::Tensor& x) { return x.narrow(0, b + part.begin, part.size()); };
    torch::Tensor logp_ref;  // log π_θ₀ of this rank's rows
    auto here = torch::zeros({6}, torch::kFloat64);
    model::TensorMap grads;
    if (part.size() > 0) {
      {
        torch::NoGradGuard ng;
        PrecisionScope reduced(c.run.precision, device_);
        logp_ref = token_logprobs(gcfg, theta_ref_, rows(tokens), false, batch.offset).first;
      }
      logp_ref = logp_ref.to(theta_dtype(c.run.precision));
      auto g = policy_gradient(gcfg, theta_, rows(tokens), batch.offset, rows(mask), rows(logp_old),
                               logp_ref, rows(used), terms, c.grpo.micro_batch, c.run.precision);
      torch::NoGradGuard ng;
      const auto mk = rows(mask);
      here[0] = g.tokens;
      here[1] = -(logp_ref * mk).sum().item<double>();
      here[2] = kl_to_reference(rows(logp_old), logp_ref, mk).item<double>() * g.tokens;
      here[3] = g.loss * g.tokens;
      here[4] = g.clip_frac * g.tokens;
      here[5] = g.entropy_sum;
      grads = std::move(g.grads);
    } else {
      for (const auto& [name, t] : theta_) grads[name] = torch::zeros_like(t);
    }
    if (coll_) pool_gradient(grads, here);
    opt_.step(theta_, grads, c.grpo.grad_clip);
    sums += here;
  }
  const double tok = std::max(1.0, sums[0].item<double>());
  m.fluency_nll = sums[1].item<double>() / tok;  // NLL/token, θ₀
  m.kl = sums[2].item<double>() / tok;
  m.policy_loss = sums[3].item<double>() / tok;
  m.clip_frac = sums[4].item<double>() / tok;
  m.entropy = sums[5].item<double>() / tok;
}

// The mini-batch's gradient from each rank's token-mean gradient of its rows and their sums
// (@p sums[0]: its response tokens N_r): Σ_r N_r·g_r / Σ_r N_r; @p sums become the totals.
void DpgRun::pool_gradient(model::TensorMap& grads, torch::Tensor& sums) const {
  std::vector<torch::Tensor> g;
  const double mine = sums[0].item<double>();
  for (auto& [name, t] : grads) g.push_back(t * mine);
  std::vector<torch::Tensor> head{sums};
  coll_->all_reduce_sum(g);
  coll_->all_reduce_sum(head);
  sums = head[0];
  const double total = std::max(1.0, sums[0].item<double>());
  size_t k = 0;
  for (auto& [name, t] : grads) t = g[k++] / total;
}

// The rollouts with their τ and Â; with token credit, the byte columns of τ_ij (column j predicts
// byte j; the EOS column is left out).
void DpgRun::record_samples(const Rollouts& ro, const Rewards& rw, const Advantages& a,
                            StepRecord& rec) const {
  for (int64_t i = 0; i < rw.tau.size(0); ++i) {
    const auto& response = ro.responses[size_t(i)];
    rec.samples.push_back({i,
                           ro.prompts[size_t(i)],
                           response,
                           rw.tau[i].item<double>(),
                           a.sequence[i].item<double>(),
                           {}});
    if (!rw.tau_tokens.defined()) continue;
    const int64_t bytes = std::min<int64_t>(int64_t(response.size()), rw.tau_tokens.size(1));
    auto row = rw.tau_tokens[i].narrow(0, 0, bytes).to(torch::kFloat32).contiguous();
    rec.samples.back().byte_tau.assign(row.data_ptr<float>(), row.data_ptr<float>() + bytes);
  }
}

// 7. Validation on held-out prompts with T_val (step 1, every validation.every steps, the last).
void DpgRun::validate_step(int64_t s, StepRecord& rec) {
  const auto& c = in_.config;
  const bool last = s == c.grpo.steps;
  if (c.validation.every <= 0 || !(s == 1 || s % c.validation.every == 0 || last)) return;
  log::stage("step " + std::to_string(s) + ": validation");
  const Validation v = validate(s);
  auto& m = rec.metrics;
  m.val_Phi = v.Phi;
  m.val_metric = v.metric;
  add_images(rec, v.view, "val_");
  rec.validated = true;
  if (better(m.val_metric, best_metric_, objective_at(s).metric_higher_is_better())) {
    best_metric_ = m.val_metric;
    best_step_ = s;
    rec.new_best = true;
  }
}

// The train target's images. Y is stored where it can change: at step 1 and where a stage begins
// (a stage may draw another image).
void DpgRun::record_snapshots(int64_t s, const ObjectiveView& train_view, StepRecord& rec) const {
  const auto& c = in_.config;
  const bool stage_begins =
      std::any_of(in_.stages.begin(), in_.stages.end(),
                  [s](const ObjectiveStage& st) { return st.from_step == s; });
  if ((s == 1 || stage_begins) && !train_view.target.empty())
    rec.snapshots.push_back({"target", train_view.target});
  const bool last = s == c.grpo.steps;
  if (c.snapshot_every > 0 && (s == 1 || s % c.snapshot_every == 0 || last))
    add_images(rec, train_view, "");
}

Validation DpgRun::validate(int64_t s, const std::atomic<bool>* cancel) const {
  // R independent validations (repeat 0 keeps the single-validation stream); Φ_val and the metric
  // are their means, the images come from repeat 0. One validation of 64 samples is noisy (±0.2
  // pixel accuracy on 67-tiny).
  const auto& c = in_.config;
  const auto& tcfg = in_.target.config;
  const Objective& obj = objective_at(s);
  const int64_t R = c.validation.repeats;
  const uint64_t stream0 = mix(c.seed, s, 3);
  Validation v;
  for (int64_t r = 0; r < R; ++r) {
    Rollouts vr =
        sample(in_.val_prompts, c.validation.prompts, r == 0 ? stream0 : mix(stream0, r, 0), false,
               c.validation.temperature, cancel);
    auto vdata = make_inner_data(*in_.target.tokenizer, vr.responses, c.target.seq_len);
    InnerTrainer vtrainer(tcfg, in_.target.params, c.val_inner(), c.val_batch());
    vtrainer.set_collective(coll_);
    auto vparams_T = vtrainer.train(vdata, {}, [cancel] { return cancel && cancel->load(); });
    if (cancel && cancel->load()) throw Cancelled();
    torch::NoGradGuard ng;
    v.Phis.push_back(obj.Phi(tcfg, vparams_T, vtrainer.params0()).item<double>());
    auto view = obj.view(tcfg, vparams_T, vtrainer.params0());
    v.metrics.push_back(view.metric);
    if (!view.sign.empty()) v.signs.push_back(view.sign);
    v.Phi += v.Phis.back() / double(R);
    v.metric += view.metric / double(R);
    if (r == 0) {
      v.view = std::move(view);
      v.responses = std::move(vr.responses);
    }
  }
  return v;
}

void DpgRun::save_checkpoint(const std::string& path) const {
  model::TensorMap t;
  for (const auto& [n, x] : theta_) t["theta/" + n] = x.cpu();
  for (const auto& [n, x] : opt_.m) t["adam_m/" + n] = x.cpu();
  for (const auto& [n, x] : opt_.v) t["adam_v/" + n] = x.cpu();
  char best[64];
  std::snprintf(best, sizeof best, "%.17g", best_metric_);
  model::write_safetensors(path, t,
                           {{"next_step", std::to_string(next_step_)},
                            {"adam_t", std::to_string(opt_.t)},
                            {"best_step", std::to_string(best_step_)},
                            {"best_metric", best},
                            {"format", "dpg-generator-checkpoint-1"}});
}

void DpgRun::load_checkpoint(const std::string& path) {
  auto f = model::read_safetensors(path);
  if (f.metadata["format"] != "dpg-generator-checkpoint-1")
    throw model::FormatError(path, -1, "not a DPG generator checkpoint");
  model::TensorMap theta, m, v;
  for (auto& [n, x] : f.tensors) {
    if (n.starts_with("theta/"))
      theta[n.substr(6)] = x;
    else if (n.starts_with("adam_m/"))
      m[n.substr(7)] = x;
    else if (n.starts_with("adam_v/"))
      v[n.substr(7)] = x;
  }
  if (theta.size() != theta_.size())
    throw model::FormatError(path, -1, "checkpoint does not match the generator");
  for (auto& [n, x] : theta) {
    if (!theta_.count(n) || theta_[n].sizes() != x.sizes())
      throw model::FormatError(path, -1,
                               "checkpoint tensor '" + n + "' does not match the generator");
  }
  theta_ = model::to_dtype(model::to_device(theta, device_), theta_dtype(in_.config.run.precision));
  opt_.m = model::to_device(m, device_);
  opt_.v = model::to_device(v, device_);
  opt_.t = std::stoll(f.metadata["adam_t"]);
  next_step_ = std::stoll(f.metadata["next_step"]);
  best_step_ = std::stoll(f.metadata["best_step"]);
  best_metric_ = std::stod(f.metadata["best_metric"]);
}

}  // namespace dpg::engine
