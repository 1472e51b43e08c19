// SPDX-License-Identifier: MIT
#include "core/dist/c10d_collective.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL  // defined for the users of a CUDA LibTorch with NCCL (torch_cuda's interface)
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dpg::dist {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct C10dCollective::Group {
  c10::intrusive_ptr<c10d::Store> store;
  milliseconds timeout{};
  c10::intrusive_ptr<c10d::Backend> gloo;  ///< host tensors, and GPU ones without NCCL
  c10::intrusive_ptr<c10d::Backend> nccl;  ///< GPU tensors; made at the first sum of one
};

namespace {

c10::intrusive_ptr<c10d::Store> make_store(const Rendezvous& r) {
  if (!r.file.empty()) return c10::make_intrusive<c10d::FileStore>(r.file, r.world);
  c10d::TCPStoreOptions o;
  o.port = uint16_t(r.port);
  o.isServer = r.rank == 0 && r.serve;
  o.numWorkers = r.world;
  o.waitWorkers = true;
  o.timeout = duration_cast<milliseconds>(r.timeout);
  return c10::make_intrusive<c10d::TCPStore>(r.host, o);
}

c10::intrusive_ptr<c10d::Backend> make_gloo(const c10::intrusive_ptr<c10d::Store>& store,
                                            const Rendezvous& r) {
  auto opts = c10d::ProcessGroupGloo::Options::create(duration_cast<milliseconds>(r.timeout));
  opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  if (!r.host.empty() && r.host != "127.0.0.1" && r.host != "localhost")
    opts->devices = {c10d::ProcessGroupGloo::createDefaultDevice()};
  return c10::make_intrusive<c10d::ProcessGroupGloo>(
      c10::make_intrusive<c10d::PrefixStore>("gloo", store), r.rank, r.world, opts);
}

#ifdef USE_C10D_NCCL
// NCCL binds a communicator to the current GPU, so the rank's GPU (that of its first GPU sum) is
// made current first. NCCL's watchdog ends a rank whose collective outlives the timeout; the
// launcher then names it.
c10::intrusive_ptr<c10d::Backend> make_nccl(const c10::intrusive_ptr<c10d::Store>& store, int rank,
                                            int world, milliseconds timeout, c10::Device gpu) {
  c10::cuda::set_device(gpu.index());
  auto opts = c10d::ProcessGroupNCCL::Options::create();
  opts->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(
      c10::make_intrusive<c10d::PrefixStore>("nccl", store), rank, world, opts);
}
#endif

}  // namespace

C10dCollective::C10dCollective(const Rendezvous& r) : rank_(r.rank), world_(r.world) {
  if (r.world < 1 || r.rank < 0 || r.rank >= r.world) {
    throw std::runtime_error("data parallel: rank " + std::to_string(r.rank) +
                             " is outside a world of " + std::to_string(r.world));
  }
  const std::string where = r.file.empty() ? r.host + ":" + std::to_string(r.port) : r.file;
  try {
    group_ = std::make_unique<Group>();
    group_->store = make_store(r);
    group_->timeout = duration_cast<milliseconds>(r.timeout);
    group_->gloo = make_gloo(group_->store, r);
  } catch (const std::exception& e) {
    throw std::runtime_error("data parallel: rank " + std::to_string(r.rank) +
                             " cannot join the group at " + where + ": " + e.what());
  }
}

C10dCollective::~C10dCollective() = default;

namespace {

// Sums @p flat (one tensor) over the ranks in place on @p pg.
void sum_on(c10d::Backend& pg, std::vector<torch::Tensor>& flat, int rank) {
  try {
    pg.allreduce(flat)->wait();
  } catch (const std::exception& e) {
    throw engine::CollectiveFailure("data parallel: rank " + std::to_string(rank) +
                                    ": all-reduce failed (a rank died or timed out): " + e.what());
  }
}

}  // namespace

void C10dCollective::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  // One flat buffer per (device, dtype), in the order of first appearance: one collective per
  // buffer instead of one per tensor, and no integer summed as a float.
  std::vector<std::pair<c10::Device, torch::ScalarType>> keys;
  for (const auto& t : tensors)
    if (std::find(keys.begin(), keys.end(), std::pair(t.device(), t.scalar_type())) == keys.end())
      keys.emplace_back(t.device(), t.scalar_type());
  for (const auto& [device, dtype] : keys) {
    auto mine = [&, d = device, dt = dtype](const torch::Tensor& t) {
      return t.device() == d && t.scalar_type() == dt;
    };
    std::vector<torch::Tensor> parts;
    for (const auto& t : tensors)
      if (mine(t)) parts.push_back(t.detach().reshape({-1}));
    std::vector<torch::Tensor> flat{torch::cat(parts, 0)};
#ifdef USE_C10D_NCCL
    if (device.is_cuda() && !group_->nccl)
      group_->nccl = make_nccl(group_->store, rank_, world_, group_->timeout, device);
#endif
    const bool on_nccl = device.is_cuda() && group_->nccl;
    if (!device.is_cpu() && !on_nccl) flat[0] = flat[0].to(torch::kCPU);  // Gloo: via the host
    sum_on(on_nccl ? *group_->nccl : *group_->gloo, flat, rank_);
    int64_t off = 0;
    for (auto& t : tensors) {
      if (!mine(t)) continue;
      const int64_t n = t.numel();
      // A copy on the tensor's own device (from host memory when the sum went through it).
      t = flat[0].narrow(0, off, n).view(t.sizes()).to(device, /*non_blocking=*/false,
                                                       /*copy=*/true);
      off += n;
    }
  }
}

}  // namespace dpg::dist
