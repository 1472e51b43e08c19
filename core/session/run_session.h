// SPDX-License-Identifier: MIT
#pragma once
/// @file RunSession: one DPG run bound to the run store. Used by `dpg run`/`dpg resume` and by the
/// GUI's engine worker, so both drive the same engine the same way.
///
/// Durability: a generator checkpoint is written (temporary file, fsync, rename) every
/// `checkpoint_every` steps, at the best validation step, and when a run stops; the step is
/// committed to the store only after its checkpoint is durable. Resume loads the newest
/// checkpoint, drops any later steps from the store and re-runs them: every random stream of a
/// step is seeded from (seed, step), so the resumed curve equals an uninterrupted run.
#include "core/config/run_config.h"
#include "core/dpg/dpg_run.h"
#include "core/session/run_lease.h"
#include "core/store/run_store.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace dpg::plugin {
class PluginRegistry;
}

namespace dpg::session {

/// $DPG_DB, else $XDG_DATA_HOME/dpg-workbench/runs.db, else ~/.local/share/dpg-workbench/runs.db.
std::string default_db_path();
/// Where the checkpoints of run @p run_id live, beside the database: DB-checkpoints/run-ID.
std::string checkpoint_dir(const std::string& db_path, int64_t run_id);
/// Sets the calling thread's intra-op threads for a run's work: @p requested (e.g. --threads) if >
/// 0, else the run config's @p configured `threads` if > 0 (a run's float sums, and so its steps
/// and validations, depend on it), else @p fallback if > 0, else leaves the count. Returns the
/// count now in force in this thread (OpenMP keeps one per thread, so only the thread that does the
/// work can read it).
int use_run_threads(int64_t requested, int64_t configured, int64_t fallback = 0);

/// Deletes run @p run_id with its checkpoint files and folder. Holds the run's lease meanwhile, so
/// a run live in another process is refused (RunBusyError) and left whole.
void delete_run(const std::string& db_path, int64_t run_id);

/// Builds the engine's inputs: loads models, prompts and the objective (through the plugins).
engine::RunInputs make_run_inputs(const config::RunConfig& cfg,
                                  const plugin::PluginRegistry& plugins);

/// The resource guard: throws std::runtime_error, one line with the numbers and the settings that
/// would fit (engine::memory_refusal), when the run's estimated peak memory exceeds what the system
/// has available. $DPG_SKIP_MEMORY_CHECK=1 turns it off, and a run on a GPU is not checked (the
/// estimate is of host memory). create() and resume() call it before they touch the store, with
/// the number of a data-parallel run's ranks on this host (@p ranks_on_host), which share it.
void check_memory(const engine::RunInputs& in, int ranks_on_host = 1);

/// A rank other than 0 of a data-parallel run: the config from rank 0, then the same steps as
/// rank 0's session, until the run finishes or any rank stops (@p stop). Never opens the store.
/// @p threads, @p fallback_threads: as use_run_threads's requested and fallback.
void follow_run(engine::Collective& c, const plugin::PluginRegistry& plugins,
                const std::atomic<bool>& stop, int64_t threads = 0, int64_t fallback_threads = 0);

class RunSession {
 public:
  /// A new run in the store (status "created"). Both this and resume() take the run's lease
  /// (run_lease.h) and hold it while the session lives, so no other process can step, resume or
  /// delete the run meanwhile.
  static std::unique_ptr<RunSession> create(const config::RunConfig& cfg, const std::string& preset,
                                            const std::string& db_path,
                                            const plugin::PluginRegistry& plugins,
                                            int ranks_on_host = 1);
  /// A stopped, failed or interrupted run, from its newest intact checkpoint (RunBusyError while
  /// another session holds it). @p sets (`key=value`) continue it with changed settings where they
  /// leave the steps up to that checkpoint as made (config/continuation.h), e.g. grpo.steps=2000
  /// for a finished run or a new objective stage; the store then holds the new config. A
  /// non-empty @p device (`dpg resume --device`) runs it on that device, unstored, as --threads.
  /// @p ranks_on_host: as check_memory's.
  static std::unique_ptr<RunSession> resume(int64_t run_id, const std::string& db_path,
                                            const plugin::PluginRegistry& plugins,
                                            const std::vector<std::string>& sets = {},
                                            const std::string& device = {}, int ranks_on_host = 1);

  /// Makes this session rank 0 of a data-parallel run (engine::DpgRun::set_collective): the one
  /// writer of the store, the lease and the checkpoints. Shares this session's θ and run position
  /// with the other ranks, which drive a plain DpgRun (follow_run) and never open the store.
  void join(engine::Collective* c);

  int64_t run_id() const { return run_id_; }
  const engine::DpgRun& run() const { return *run_; }
  store::RunStore& store() { return store_; }

  /// Runs steps until the run finishes or @p stop is set (checked between stages; a stop inside a
  /// step abandons only that step). Calls @p on_step after each step is committed. Marks the run
  /// done, stopped, or failed (with the message, then rethrows).
  void run_until(const std::atomic<bool>& stop,
                 const std::function<void(const engine::StepRecord&)>& on_step = {});

 private:
  RunSession(store::RunStore store, int64_t run_id, std::string db_path, RunLease lease,
             std::unique_ptr<engine::DpgRun> run);
  std::string write_checkpoint(int64_t step);
  /// Writes @p rec's checkpoint (when @p with_checkpoint) and commits the step. A failure (a full
  /// disk) throws one line: the step, the reason, and that `dpg resume` continues the run.
  void save_step(engine::StepRecord& rec, bool with_checkpoint);

  store::RunStore store_;
  int64_t run_id_;
  std::string db_path_;
  RunLease lease_;
  std::unique_ptr<engine::DpgRun> run_;
};

}  // namespace dpg::session
