// SPDX-License-Identifier: MIT
#pragma once
/// @file How a CLI command runs data parallel: `--world-size N` starts N local ranks of this
/// executable itself; a rank started by torchrun, srun or the like reads RANK, WORLD_SIZE,
/// LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT instead (docs/scaling.md).
#include "core/dist/c10d_collective.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace dpg::cli {

/// The data-parallel options of one command.
struct RankArgs {
  int world_size = 1;      ///< --world-size: local ranks to start
  int rank = -1;           ///< --rank (hidden): set on the ranks the local launcher starts
  std::string rendezvous;  ///< --rendezvous (hidden): their FileStore
};

/// Adds --world-size and the hidden per-rank options to @p cmd.
void add_rank_options(CLI::App* cmd, RankArgs& a);

/// True when this process should start the local ranks instead of working itself.
bool launches_ranks(const RankArgs& a);

/// The exit code of a rank started by launch_local_ranks() whose collective failed because
/// another rank died or hung: it exits quietly and the launcher names the rank that caused it.
constexpr int kLostRankExit = 3;

/// A local rank failed with an error it printed itself ("dpg: error: ..."): the launcher exits
/// with code 1 and adds no second line.
struct RankReported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Whether this process is a rank that launch_local_ranks() started.
bool launched_rank();

/// Starts ranks 0..N−1 of this executable with this command line plus --rank and --rendezvous,
/// waits for all, and throws std::runtime_error naming the first rank that failed of itself (the
/// others are stopped with SIGTERM; one that has not ended 10 s after another lost contact with it
/// is named as hung and killed).
void launch_local_ranks(const RankArgs& a);

/// The world size of this process's run: --world-size, else $WORLD_SIZE, else 1.
int world_of(const RankArgs& a);

/// Where this rank sits on its host: LOCAL_RANK of LOCAL_WORLD_SIZE (torchrun; srun's
/// SLURM_LOCALID and SLURM_NTASKS_PER_NODE stand in), the rank of --world-size's N for local
/// ranks, 0 of 1 for one process. Without LOCAL_RANK, all ranks count as on one host.
struct HostPlace {
  int local_rank = 0;
  int local_world = 1;
};
HostPlace host_place(const RankArgs& a);

/// Places this rank on its host: "cuda" is its GPU cuda:LOCAL_RANK (config::set_default_gpu), and
/// the intra-op threads it takes when neither --threads nor the config says are its share of the
/// host's cores (returned; 0 for one process: LibTorch's default).
int place_on_host(const HostPlace& p);

/// This process's collective: a local rank's, one from the RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT
/// environment (joining torchrun's own store when TORCHELASTIC_USE_AGENT_STORE=True), or none (one
/// process).
std::unique_ptr<dist::C10dCollective> join_ranks(const RankArgs& a);

}  // namespace dpg::cli
