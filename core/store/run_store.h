// SPDX-License-Identifier: MIT
#pragma once
/// @file RunStore: the SQLite database that holds every run, its steps, samples, LM-head snapshots
/// and checkpoint records (schema: docs/store-and-plugins.md).
///
/// Durability contract:
///   - WAL journal, synchronous=FULL, foreign keys on, a 5 s busy timeout.
///   - commit_step() writes a step's metrics, samples, snapshots and checkpoint record in ONE
///     transaction. The caller must have made the checkpoint file durable first (temporary file,
///     fsync, rename), so every committed checkpoint row points at a complete file and a crash
///     resumes from the last committed step.
///   - The schema version is PRAGMA user_version. Opening read-write migrates an older file in
///     ordered steps, one transaction each; a newer file is refused.
///
/// Threading contract: one RunStore is one connection and is not thread-safe. The engine thread
/// owns the only read-write store of a file; any other thread (the GUI) opens its own read-only
/// store of the same file, which WAL lets read beside the writer without blocking it.
#include "core/dpg/records.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace dpg::store {

/// Lifecycle of a run. Stored as its lower-case name; new values are only ever appended.
enum class RunStatus { Created, Running, Paused, Stopped, Failed, Done };
/// "created", "running", "paused", "stopped", "failed", "done".
std::string status_name(RunStatus status);
/// Inverse of status_name(); throws std::invalid_argument on an unknown name.
RunStatus parse_status(const std::string& name);

/// One row of the runs table.
struct RunInfo {
  int64_t id = 0;
  std::string name;
  std::string created_at;  ///< ISO 8601 UTC
  std::string updated_at;  ///< ISO 8601 UTC, bumped by every change to the run
  RunStatus status = RunStatus::Created;
  std::string status_message;  ///< why it stopped or failed (empty otherwise)
  std::string preset;          ///< preset the config started from (may be empty)
  std::string config_json;     ///< the full RunConfig as JSON
  std::string app_version;     ///< DPG Workbench version that created the run
  std::string notes;
  std::string
      metric_name;  ///< the objective's readable metric, e.g. "pixel accuracy" ('' before schema 3)
  std::optional<int64_t> best_step;  ///< the last step committed with StepRecord::new_best
  double best_metric = 0.0;          ///< its readable (validation) metric (NaN if none)
  double best_phi = 0.0;             ///< its (validation) Φ (NaN if none)
  std::optional<int64_t> last_step;  ///< highest committed step
  /// Step of the newest checkpoint row: where a resume starts unless that file has since been
  /// damaged.
  std::optional<int64_t> last_checkpoint;
  /// Not stored: marked running, yet no process holds the run (killed or crashed); it resumes like
  /// a stopped one. Only session::mark_interrupted sets it, from the run's lease
  /// (core/session/run_lease.h).
  bool interrupted = false;
  std::vector<std::string> tags;  ///< History's labels, in the order given (none before schema 5)
  bool pinned = false;            ///< History lists pinned runs first
};

/// Tags from their stored form, "a, b,c": trimmed, empty ones and repeats dropped.
std::vector<std::string> split_tags(const std::string& text);
/// The stored form of @p tags: split_tags() of each, joined by ",".
std::string join_tags(const std::vector<std::string>& tags);

/// One row of the checkpoints table.
struct CheckpointInfo {
  int64_t step = 0;
  std::string path;
  std::string sha256;  ///< lower-case hex digest of the file at commit time
};

/// The SQLite run store. Move-only; closes its connection on destruction.
class RunStore {
 public:
  /// Current schema version (PRAGMA user_version).
  static constexpr int kSchemaVersion = 5;
  /// Oldest schema a read-only connection reads as is (it cannot migrate); columns added since read
  /// as empty. Read-write opens migrate any older file.
  static constexpr int kOldestReadOnlySchema = 2;

  /// Opens (read-write: creating and migrating as needed) the store at @p path. Throws
  /// std::runtime_error naming the path and the reason: missing folder, missing file (read-only),
  /// read-only file, not a DPG run store, corrupt, or written by a newer version.
  static RunStore open(const std::string& path, bool read_only = false);

  RunStore(RunStore&& other) noexcept;
  RunStore& operator=(RunStore&& other) noexcept;
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;
  ~RunStore();

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  /// PRAGMA user_version of the open file.
  int schema_version() const;

  // --- Runs ---------------------------------------------------------------------------------
  /// Inserts a run with status Created; returns its id.
  int64_t create_run(const std::string& name, const std::string& preset,
                     const std::string& config_json, const std::string& notes = {},
                     const std::string& metric_name = {});
  /// Records the objective's readable-metric name (runs made before schema 3 have none).
  void set_metric_name(int64_t run_id, const std::string& metric_name);
  /// Sets the status and its message (e.g. the error of a failed run).
  void set_status(int64_t run_id, RunStatus status, const std::string& message = {});
  void rename(int64_t run_id, const std::string& name);
  void set_notes(int64_t run_id, const std::string& notes);
  /// Replaces the run's tags (stored as join_tags()).
  void set_tags(int64_t run_id, const std::vector<std::string>& tags);
  void set_pinned(int64_t run_id, bool pinned);
  /// Replaces the stored RunConfig JSON (a run continued with changed settings,
  /// config/continuation.h).
  void set_config(int64_t run_id, const std::string& config_json);
  /// Deletes the run and, by cascade, its steps, samples, snapshots and checkpoint rows. Returns
  /// the checkpoint paths it recorded, so the caller may delete those files.
  std::vector<std::string> delete_run(int64_t run_id);
  /// All runs, oldest first.
  std::vector<RunInfo> list_runs() const;
  /// One run, or nullopt when there is no such id.
  std::optional<RunInfo> run(int64_t run_id) const;

  // --- Steps ---------------------------------------------------------------------------------
  /// Commits one step in one transaction: metrics, samples, snapshots, and a checkpoint row when
  /// record.checkpoint_path is set (its SHA-256 is computed here). val_phi and val_metric are
  /// stored only when record.validated (else NULL, read back as NaN); record.new_best makes this
  /// step the run's best (the engine knows whether the metric is higher- or lower-is-better).
  /// Throws if the step is already committed.
  void commit_step(int64_t run_id, const engine::StepRecord& record);
  /// Removes every step after @p step (and its samples, snapshots and checkpoint rows): used when
  /// a run resumes from a checkpoint older than its last committed step.
  void truncate_after(int64_t run_id, int64_t step);
  /// Highest committed step, or nullopt when none.
  std::optional<int64_t> last_step(int64_t run_id) const;
  /// Step metrics in step order; only steps after @p since_step when given (live polling). The
  /// rollout statistics (frac_zero_std, adv_*) are computed from the stored samples.
  std::vector<engine::StepMetrics> steps(int64_t run_id,
                                         std::optional<int64_t> since_step = {}) const;
  /// Samples of one step, by index (byte_tau empty where none was stored).
  std::vector<engine::Sample> samples(int64_t run_id, int64_t step) const;
  /// Steps that have at least one snapshot, ascending; with @p kind, only those holding that kind.
  std::vector<int64_t> snapshot_steps(int64_t run_id, const std::string& kind = {}) const;
  /// One snapshot image (kind "delta", "sign" or "target"), or nullopt.
  std::optional<engine::Image> snapshot(int64_t run_id, int64_t step,
                                        const std::string& kind) const;
  /// Every snapshot of one step.
  std::vector<engine::Snapshot> snapshots(int64_t run_id, int64_t step) const;
  /// The run's newest sign image with its step: the validation's ("val_sign") where the newest step
  /// holding a sign image has one, else its training run's ("sign"); nullopt when it has none.
  std::optional<std::pair<int64_t, engine::Snapshot>> newest_sign(int64_t run_id) const;
  /// Checkpoint rows, by step.
  std::vector<CheckpointInfo> checkpoints(int64_t run_id) const;

  /// Lower-case hex SHA-256 of a file; throws std::runtime_error naming the file.
  static std::string sha256_file(const std::string& path);

 private:
  RunStore(sqlite3* db, std::string path, bool read_only);
  void require_writable(const char* what) const;
  void require_run(int64_t run_id) const;
  /// Fills each step's rollout statistics (core/dpg/rollout_stats.h) from its stored samples;
  /// @p steps are the run's steps after @p after, in step order.
  void add_rollout_stats(int64_t run_id, int64_t after,
                         std::vector<engine::StepMetrics>& steps) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  bool read_only_ = false;
  int version_ = 0;  ///< schema version after open (and migration)
};

}  // namespace dpg::store
