// SPDX-License-Identifier: MIT
#include "core/session/run_lease.h"

#include "core/session/run_session.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace dpg::session {
namespace fs = std::filesystem;

namespace {

std::string holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, size_t(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

}  // namespace

std::string RunLease::path(const std::string& db_path, int64_t run_id) {
  return (fs::path(checkpoint_dir(db_path, run_id)) / "lease").string();
}

RunLease RunLease::acquire(const std::string& db_path, int64_t run_id) {
  const std::string p = path(db_path, run_id);
  std::error_code ec;
  fs::create_directories(fs::path(p).parent_path(), ec);
  const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot claim run " + std::to_string(run_id) + ": " + p + ": " +
                             std::strerror(errno));
  // held() takes the lock for a moment to look; a few tries ride over such a look.
  for (int attempt = 0;; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    const int err = errno;
    if (err == EWOULDBLOCK && attempt < 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    const std::string pid = holder_pid(fd);
    ::close(fd);
    if (err != EWOULDBLOCK)
      throw std::runtime_error("cannot claim run " + std::to_string(run_id) + ": " + p + ": " +
                               std::strerror(err));
    throw RunBusyError("run " + std::to_string(run_id) + " is being run by " +
                       (pid.empty() ? std::string("another process") : "process " + pid) +
                       "; stop it there first");
  }
  // The lock alone is the lease; the pid only names the holder in others' messages, so a failed
  // write is let be.
  const std::string pid = std::to_string(::getpid()) + "\n";
  const bool named =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == ssize_t(pid.size());
  static_cast<void>(named);
  return RunLease(fd);
}

bool RunLease::held(const std::string& db_path, int64_t run_id) {
  const int fd = ::open(path(db_path, run_id).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also drops the shared lock, if taken
  return busy;
}

RunLease::RunLease(RunLease&& o) noexcept : fd_(o.fd_) {
  o.fd_ = -1;
}

RunLease& RunLease::operator=(RunLease&& o) noexcept {
  if (this != &o) {
    release();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

RunLease::~RunLease() {
  release();
}

void RunLease::release() {
  if (fd_ < 0) return;
  ::close(fd_);  // closing the only descriptor of the open file drops its flock
  fd_ = -1;
}

bool is_interrupted(const std::string& db_path, const store::RunInfo& run) {
  return run.status == store::RunStatus::Running && !RunLease::held(db_path, run.id);
}

void mark_interrupted(const std::string& db_path, std::vector<store::RunInfo>& runs) {
  for (auto& r : runs) r.interrupted = is_interrupted(db_path, r);
}

std::string status_label(const store::RunInfo& run) {
  return run.interrupted ? "interrupted" : store::status_name(run.status);
}

}  // namespace dpg::session
