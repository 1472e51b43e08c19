// SPDX-License-Identifier: MIT
#pragma once
/// @file One DPG run, one GRPO step at a time (docs/method.md §4):
///   sample prompts → G responses each → re-tokenise for the target → 𝒜 + τ (or the naive
///   dataset-level Φ) → advantages → PPO-clipped update of the generator → (every k steps)
///   validation and LM-head snapshots.
/// Every random stream of step s is seeded from (config.seed, s), so a run resumed from the
/// checkpoint of step s continues exactly as the uninterrupted run would have.
/// Plain C++ and LibTorch: no Qt, no store. The caller persists what step() returns.
/// The models and every tensor of a step live on config.run.device; what step() and validate()
/// return (metrics, texts, images, τ) is on the host, read back once per stage.
#include "core/config/run_config.h"
#include "core/dpg/metagrad.h"
#include "core/dpg/objective.h"
#include "core/dpg/objective_view.h"
#include "core/dpg/policy.h"
#include "core/dpg/rank_share.h"
#include "core/dpg/records.h"
#include "core/model/model_io.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dpg::engine {

/// The objective from one GRPO step on (config.objective.stages).
struct ObjectiveStage {
  int64_t from_step = 0;
  std::shared_ptr<const Objective> objective;
};

struct RunInputs {
  config::RunConfig config;
  model::LoadedModel generator;                ///< θ₀, float32
  model::LoadedModel target;                   ///< φ₀
  std::shared_ptr<const Objective> objective;  ///< Φ from step 1
  std::vector<ObjectiveStage> stages;  ///< later Φs, ascending from_step (config.objective.stages)
  std::vector<std::string> train_prompts;
  std::vector<std::string> val_prompts;
};

/// One validation (docs/method.md §6): validation.repeats independent sample sets of the
/// held-out prompts at validation.temperature, each trained on for T_val inner steps.
struct Validation {
  double Phi = 0;                      ///< mean Φ_val over the repeats
  double metric = 0;                   ///< mean readable metric over the repeats
  std::vector<double> Phis, metrics;   ///< one per repeat
  ObjectiveView view;                  ///< repeat 0's images
  std::vector<Image> signs;            ///< each repeat's sign image, when the objective has one
  std::vector<std::string> responses;  ///< repeat 0's samples
};

class DpgRun {
 public:
  explicit DpgRun(RunInputs in);

  /// Runs data parallel over @p c's ranks (nullptr or one rank: one process; docs/scaling.md).
  /// Each rank samples its share of every batch of rollouts, trains its slice of each inner step
  /// and takes its slice of each update mini-batch; what each made is pooled, so every rank holds
  /// the same θ and returns the same records as one process would (to rounding). step() is then
  /// not cancellable inside a step: stop between steps with agree_stop(). The collective carries
  /// tensors on the run's device (dist::C10dCollective: Gloo on the host, NCCL on a GPU).
  void set_collective(Collective* c);
  /// Whether to stop before the next step: @p stop itself on one process; with a collective, true
  /// on every rank when any rank's @p stop is set.
  bool agree_stop(bool stop) const;
  /// Rank 0's θ, AdamW state and run position on every rank (after rank 0 loaded a checkpoint).
  /// Every rank calls it; nothing with one process.
  void share_state();

  /// The step step() will run next (1-based).
  int64_t next_step() const { return next_step_; }
  bool finished() const { return next_step_ > in_.config.grpo.steps; }
  /// Runs the next step. @p cancel is polled between stages and inner steps (throws Cancelled);
  /// a cancelled step changes nothing.
  StepRecord step(const std::atomic<bool>* cancel = nullptr);

  /// Validates the current generator as step @p step's validation does. Every sample stream is
  /// seeded from (seed, step, repeat), so validating a checkpoint of step s repeats the run's own
  /// validation.
  Validation validate(int64_t step, const std::atomic<bool>* cancel = nullptr) const;

  /// Writes θ, the generator's AdamW state and the run position, atomically and durably.
  void save_checkpoint(const std::string& path) const;
  /// Restores what save_checkpoint() wrote; the next step is the one after it.
  void load_checkpoint(const std::string& path);

  /// The objective of GRPO step @p step: the last stage that has begun, else inputs().objective.
  const Objective& objective_at(int64_t step) const;

  int64_t best_step() const { return best_step_; }
  double best_metric() const { return best_metric_; }
  /// The inputs; target.params is φ₀ on the run's device.
  const RunInputs& inputs() const { return in_; }
  torch::Device device() const { return device_; }

 private:
  struct Rollouts;
  struct Rewards;
  struct Advantages;
  // The stages of step(), in order.
  Rollouts sample_step(int64_t s, const std::atomic<bool>* cancel) const;
  Rewards reward(int64_t s, const Rollouts& ro, const std::atomic<bool>* cancel) const;
  Advantages advantages(const Rollouts& ro, const Rewards& rw) const;
  void update(int64_t s, const Rollouts& ro, const Advantages& a, StepMetrics& m);
  void pool_gradient(model::TensorMap& grads, torch::Tensor& sums) const;
  void record_samples(const Rollouts& ro, const Rewards& rw, const Advantages& a,
                      StepRecord& rec) const;
  void validate_step(int64_t s, StepRecord& rec);
  void record_snapshots(int64_t s, const ObjectiveView& train_view, StepRecord& rec) const;
  // Pieces of reward().
  std::vector<int64_t> inner_run_rows(int64_t s, int64_t j, int64_t runs) const;
  model::TensorMap metagrad_rewards(const InnerTrainer& trainer, const InnerData& data,
                                    const PhiFn& Phi_fn, const std::vector<int64_t>& idx,
                                    const std::function<bool()>& cancelled, Rewards& rw) const;
  model::TensorMap naive_rewards(const InnerTrainer& trainer, const InnerData& data,
                                 const PhiFn& Phi_fn, const std::vector<int64_t>& idx,
                                 const std::function<bool()>& cancelled, Rewards& rw) const;
  Rollouts sample(const std::vector<std::string>& prompts, int64_t count, uint64_t seed,
                  bool random_prompts, double temperature, const std::atomic<bool>* cancel) const;
  std::vector<int64_t> prompt_ids(const std::string& prompt) const;

  /// Every rank's sampled rows on every rank: @p r holds this rank's rows @p mine (@p stopped:
  /// which ended on a stop token) and gets all of them, in row order.
  void pool_rows(Rollouts& r, const std::vector<bool>& stopped, RowSlice mine) const;

  RunInputs in_;
  Collective* coll_ = nullptr;  ///< the ranks of a data-parallel run; nullptr: one process
  torch::Device device_;        ///< run.device: θ, φ₀ and every tensor of a step live here
  model::TensorMap theta_;      ///< the policy π_θ
  model::TensorMap theta_ref_;  ///< θ₀, frozen (fluency and KL)
  GeneratorAdamW opt_;
  int64_t next_step_ = 1;
  int64_t best_step_ = 0;
  double best_metric_ = 0;
};

}  // namespace dpg::engine
