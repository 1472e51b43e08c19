// SPDX-License-Identifier: MIT
#pragma once
/// @file RunLease: the claim of the one process that steps a run. A stored status of "running"
/// cannot say whether that process is still alive: a run killed with kill -9, or whose machine lost
/// power, keeps the status it had. The lease can. It is an advisory flock(2) on a file beside the
/// run's checkpoints (DB-checkpoints/run-ID/lease), and the kernel releases a flock when its holder
/// exits, however it exits. So:
///  - a run whose lease is held is live in some process, and no other may resume, continue or
///  delete it;
///  - a run marked "running" whose lease is free was interrupted, and resumes from its newest
///  checkpoint.
/// The file holds the holder's pid, for the message. Works between threads of one process too: each
/// lease opens the file itself, and flock(2) locks belong to the open file.
#include "core/store/run_store.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpg::session {

/// Another process (or another engine in this one) steps the run.
class RunBusyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RunLease {
 public:
  /// Takes the lease of run @p run_id of the store at @p db_path, creating its folder if need be.
  /// Throws RunBusyError ("run 3 is being run by process 1234; stop it there first") when it is
  /// held, and std::runtime_error when the file cannot be made (e.g. a read-only folder).
  static RunLease acquire(const std::string& db_path, int64_t run_id);
  /// Whether some lease holds the run now. False when the lease file does not exist or cannot be
  /// read (a read-only store seen from a machine that cannot lock it): then nothing can be known,
  /// and nothing is claimed.
  static bool held(const std::string& db_path, int64_t run_id);
  /// The lease file of a run.
  static std::string path(const std::string& db_path, int64_t run_id);

  RunLease() = default;
  RunLease(RunLease&& o) noexcept;
  RunLease& operator=(RunLease&& o) noexcept;
  RunLease(const RunLease&) = delete;
  RunLease& operator=(const RunLease&) = delete;
  ~RunLease();

  /// Gives the lease up now (also done by the destructor, and by the kernel at exit).
  void release();

 private:
  explicit RunLease(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Whether @p run is marked running but nobody holds its lease (killed or crashed).
bool is_interrupted(const std::string& db_path, const store::RunInfo& run);
/// Sets RunInfo::interrupted on each of @p runs (is_interrupted).
void mark_interrupted(const std::string& db_path, std::vector<store::RunInfo>& runs);
/// Marked running and not interrupted: some session steps it now, so it may not be resumed,
/// continued or deleted.
inline bool is_live(const store::RunInfo& run) {
  return run.status == store::RunStatus::Running && !run.interrupted;
}
/// The status a user is shown: "interrupted" for such a run, else the stored status's name.
std::string status_label(const store::RunInfo& run);

}  // namespace dpg::session
