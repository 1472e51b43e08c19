// SPDX-License-Identifier: MIT
#pragma once
/// @file engine::Collective over torch.distributed's c10d: a ProcessGroupGloo on CPU, joined
/// through a FileStore (processes of one machine) or a TCPStore (MASTER_ADDR:MASTER_PORT).
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
  std::chrono::seconds timeout{300};  ///< a collective that waits longer fails
};

class GlooCollective : public engine::Collective {
 public:
  /// Joins the group; throws std::runtime_error naming the rendezvous when it cannot.
  explicit GlooCollective(const Rendezvous& r);
  ~GlooCollective() override;
  int rank() const override { return rank_; }
  int world() const override { return world_; }
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override;

 private:
  struct Group;
  int rank_, world_;
  std::unique_ptr<Group> group_;
};

}  // namespace dpg::dist
