// SPDX-License-Identifier: MIT
#include "core/dist/gloo_collective.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <algorithm>
#include <stdexcept>

namespace dpg::dist {

struct GlooCollective::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

namespace {

c10::intrusive_ptr<c10d::Store> make_store(const Rendezvous& r) {
  if (!r.file.empty()) return c10::make_intrusive<c10d::FileStore>(r.file, r.world);
  c10d::TCPStoreOptions o;
  o.port = uint16_t(r.port);
  o.isServer = r.rank == 0;
  o.numWorkers = r.world;
  o.waitWorkers = true;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout);
  return c10::make_intrusive<c10d::TCPStore>(r.host, o);
}

}  // namespace

GlooCollective::GlooCollective(const Rendezvous& r) : rank_(r.rank), world_(r.world) {
  if (r.world < 1 || r.rank < 0 || r.rank >= r.world) {
    throw std::runtime_error("data parallel: rank " + std::to_string(r.rank) +
                             " is outside a world of " + std::to_string(r.world));
  }
  const std::string where = r.file.empty() ? r.host + ":" + std::to_string(r.port) : r.file;
  try {
    group_ = std::make_unique<Group>();
    group_->store = make_store(r);
    auto opts = c10d::ProcessGroupGloo::Options::create(
        std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout));
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    if (!r.host.empty() && r.host != "127.0.0.1" && r.host != "localhost")
      opts->devices = {c10d::ProcessGroupGloo::createDefaultDevice()};
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, r.rank, r.world, opts);
  } catch (const std::exception& e) {
    throw std::runtime_error("data parallel: rank " + std::to_string(r.rank) +
                             " cannot join the group at " + where + ": " + e.what());
  }
}

GlooCollective::~GlooCollective() = default;

void GlooCollective::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  // One flat buffer per dtype, in the order of first appearance: one collective per dtype
  // instead of one per tensor, and no integer summed as a float.
  std::vector<torch::ScalarType> dtypes;
  for (const auto& t : tensors)
    if (std::find(dtypes.begin(), dtypes.end(), t.scalar_type()) == dtypes.end())
      dtypes.push_back(t.scalar_type());
  for (const auto dtype : dtypes) {
    std::vector<torch::Tensor> parts;
    for (const auto& t : tensors)
      if (t.scalar_type() == dtype) parts.push_back(t.detach().reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(parts, 0)};
    try {
      group_->pg->allreduce(flat)->wait();
    } catch (const std::exception& e) {
      throw engine::CollectiveFailure(
          "data parallel: rank " + std::to_string(rank_) +
          ": all-reduce failed (a rank died or timed out): " + e.what());
    }
    int64_t off = 0;
    for (auto& t : tensors) {
      if (t.scalar_type() != dtype) continue;
      const int64_t n = t.numel();
      t = flat[0].narrow(0, off, n).view(t.sizes()).clone();
      off += n;
    }
  }
}

}  // namespace dpg::dist
