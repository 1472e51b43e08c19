// SPDX-License-Identifier: MIT
#include "app/cli/ranks.h"

#include "core/config/device.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dpg::cli {
namespace {

// This process's own command line, as it was started.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

pid_t start_rank(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a rank: ") + strerror(errno));
  if (pid > 0) return pid;
  setenv("DPG_LAUNCHED_RANK", "1", 1);
  std::vector<char*> argv;
  for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  _exit(127);
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  try {
    return std::stoi(v);
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string(name) + "=" + v + " is not a number");
  }
}

}  // namespace

void add_rank_options(CLI::App* cmd, RankArgs& a) {
  cmd->add_option("--world-size", a.world_size,
                  "Data-parallel ranks to start on this machine (each one process)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--rank", a.rank)->group("");
  cmd->add_option("--rendezvous", a.rendezvous)->group("");
}

bool launches_ranks(const RankArgs& a) {
  return a.world_size > 1 && a.rank < 0;
}

bool launched_rank() {
  const char* v = std::getenv("DPG_LAUNCHED_RANK");
  return v && std::string(v) == "1";
}

namespace {

// How the ranks ended: the first failure of a rank of its own (a death, an error), or a rank that
// kept running 10 s after another lost contact with it; "" when all succeeded.
struct Ending {
  std::string failure;
  bool reported = false;  ///< the failed rank printed its own error line (it exited with code 1)
};

Ending wait_for_ranks(const std::vector<pid_t>& pids) {
  using Clock = std::chrono::steady_clock;
  const std::string of = " of " + std::to_string(pids.size());
  std::vector<bool> running(pids.size(), true);
  Ending end;
  std::string& failure = end.failure;
  std::optional<Clock::time_point> lost_at;  // when a rank first lost contact with another
  auto stop_others = [&](int sig) {
    for (size_t r = 0; r < pids.size(); ++r)
      if (running[r]) kill(pids[r], sig);
  };
  for (size_t left = pids.size(); left > 0;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0) break;
    if (pid == 0) {
      if (lost_at && Clock::now() - *lost_at > std::chrono::seconds(10)) {
        for (size_t r = 0; r < pids.size() && failure.empty(); ++r)
          if (running[r]) failure = "rank " + std::to_string(r) + of + " stopped answering";
        stop_others(SIGKILL);
        lost_at.reset();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const size_t r = size_t(std::find(pids.begin(), pids.end(), pid) - pids.begin());
    if (r >= pids.size()) continue;
    running[r] = false;
    --left;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    if (WIFEXITED(status) && WEXITSTATUS(status) == kLostRankExit) {
      if (!lost_at) lost_at = Clock::now();
      continue;
    }
    if (!failure.empty()) continue;
    failure = "rank " + std::to_string(r) + of + " " + how_it_ended(status);
    end.reported = WIFEXITED(status) && WEXITSTATUS(status) == 1;
    stop_others(SIGTERM);  // the others would wait on it until the collective timeout
  }
  if (failure.empty() && lost_at) failure = "a rank lost contact with the others";
  return end;
}

}  // namespace

void launch_local_ranks(const RankArgs& a) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("dpg-ranks-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto base = own_command_line();
  std::vector<pid_t> pids;
  for (int r = 0; r < a.world_size; ++r) {
    auto args = base;
    for (const auto& s : {std::string("--rank"), std::to_string(r), std::string("--rendezvous"),
                          (dir / "store").string()})
      args.push_back(s);
    pids.push_back(start_rank(args));
  }
  const auto end = wait_for_ranks(pids);
  std::filesystem::remove_all(dir);
  if (end.reported) throw RankReported("data parallel: " + end.failure);
  if (!end.failure.empty()) throw std::runtime_error("data parallel: " + end.failure);
}

int world_of(const RankArgs& a) {
  if (a.world_size > 1) return a.world_size;
  return std::max(1, env_int("WORLD_SIZE"));
}

HostPlace host_place(const RankArgs& a) {
  if (a.rank >= 0) return {a.rank, a.world_size};  // a local rank of --world-size N
  const int world = world_of(a);
  if (world <= 1) return {};
  const int rank = env_int("RANK");
  int local_rank = env_int("LOCAL_RANK");
  if (local_rank < 0) local_rank = env_int("SLURM_LOCALID");
  int local_world = env_int("LOCAL_WORLD_SIZE");
  if (local_world < 1) local_world = env_int("SLURM_NTASKS_PER_NODE");
  if (local_rank < 0) return {std::max(0, rank), world};  // no host split given: one host
  return {local_rank, std::max(local_world, local_rank + 1)};
}

int place_on_host(const HostPlace& p) {
  if (p.local_world <= 1) return 0;
  config::set_default_gpu(p.local_rank);
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, cores / p.local_world);
}

std::unique_ptr<dist::C10dCollective> join_ranks(const RankArgs& a) {
  dist::Rendezvous rv;
  if (a.rank >= 0) {
    rv.rank = a.rank;
    rv.world = a.world_size;
    rv.file = a.rendezvous;
  } else if (env_int("WORLD_SIZE") > 1) {
    rv.rank = env_int("RANK");
    rv.world = env_int("WORLD_SIZE");
    const char* host = std::getenv("MASTER_ADDR");
    rv.host = host && *host ? host : "127.0.0.1";
    if (env_int("MASTER_PORT") > 0) rv.port = env_int("MASTER_PORT");
    // Under torchrun the agent already serves a TCPStore at MASTER_ADDR:MASTER_PORT, and says so.
    const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    rv.serve = !(agent && std::string(agent) == "True");
    if (rv.rank < 0) throw std::invalid_argument("WORLD_SIZE is set but RANK is not");
  } else {
    return nullptr;
  }
  return std::make_unique<dist::C10dCollective>(rv);
}

}  // namespace dpg::cli
