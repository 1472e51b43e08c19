// SPDX-License-Identifier: MIT
#pragma once
/// @file engine::Collective over torch.distributed's c10d. The ranks meet at a FileStore (processes
/// of one machine) or a TCPStore (MASTER_ADDR:MASTER_PORT). Host tensors are summed over a
/// ProcessGroupGloo; tensors on a GPU over a ProcessGroupNCCL when this LibTorch has NCCL (made at
/// the first such sum), else over the Gloo group through host memory. docs/scaling.md.
#include "core/dpg/collective.h"

#include <chrono>
#include <memory>
#include <string>

namespace dpg::dist {

/// How the ranks find each other.
struct Rendezvous {
  int rank = 0;
  int world = 1;
  std::string file;                   ///< a FileStore path shared by the ranks (local runs), or
  std::string host;                   ///< the TCPStore host (rank 0 serves it) and
  int port = 29500;                   ///< its port
  bool serve = true;                  ///< rank 0 serves the TCPStore (false: torchrun's agent does)
  std::chrono::seconds timeout{300};  ///< a collective that waits longer fails
};

class C10dCollective : public engine::Collective {
 public:
  /// Joins the group; throws std::runtime_error naming the rendezvous when it cannot.
  explicit C10dCollective(const Rendezvous& r);
  ~C10dCollective() override;
  int rank() const override { return rank_; }
  int world() const override { return world_; }
  /// Tensors may be on the host and on this rank's GPU, in one call.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override;

 private:
  struct Group;
  int rank_, world_;
  std::unique_ptr<Group> group_;
};

}  // namespace dpg::dist
