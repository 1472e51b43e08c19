// SPDX-License-Identifier: MIT
#include "core/dpg/state_store.h"

#include <torch/torch.h>

#include <unistd.h>
#include <filesystem>

namespace dpg::engine {
namespace {

int64_t nbytes(const StoredStep& e) {
  int64_t n = 0;
  for (const auto* v : {&e.state.params, &e.state.m, &e.state.v, &e.g})
    for (const auto& t : *v) n += int64_t(t.nbytes());
  return n;
}

}  // namespace

StateStore::StateStore(std::string spill_dir) : dir_(std::move(spill_dir)) {
  if (!dir_.empty()) {
    dir_ += "/dpg-states-" + std::to_string(::getpid()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(dir_);
  }
}

StateStore::~StateStore() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string StateStore::file_for(int64_t t) const {
  return dir_ + "/s" + std::to_string(t) + ".pt";
}

void StateStore::put(int64_t t, StoredStep entry) {
  const int64_t n = nbytes(entry);
  if (dir_.empty()) {
    memory_[t] = std::move(entry);
    bytes_ += n;
    peak_ = std::max(peak_, bytes_);
    return;
  }
  std::vector<torch::Tensor> flat;
  for (const auto* v : {&entry.state.params, &entry.state.m, &entry.state.v, &entry.g})
    flat.insert(flat.end(), v->begin(), v->end());
  torch::save(flat, file_for(t));
  on_disk_[t] = {entry.state.params.size(), entry.g.size()};
}

StoredStep StateStore::take(int64_t t) {
  if (dir_.empty()) {
    auto it = memory_.find(t);
    StoredStep e = std::move(it->second);
    memory_.erase(it);
    bytes_ -= nbytes(e);
    return e;
  }
  std::vector<torch::Tensor> flat;
  torch::load(flat, file_for(t));
  std::filesystem::remove(file_for(t));
  const auto [np, ng] = on_disk_.at(t);
  const size_t nmv = (flat.size() - np - ng) / 2;
  StoredStep e;
  size_t i = 0;
  for (size_t k = 0; k < np; ++k) e.state.params.push_back(flat[i++]);
  for (size_t k = 0; k < nmv; ++k) e.state.m.push_back(flat[i++]);
  for (size_t k = 0; k < nmv; ++k) e.state.v.push_back(flat[i++]);
  for (size_t k = 0; k < ng; ++k) e.g.push_back(flat[i++]);
  on_disk_.erase(t);
  return e;
}

bool StateStore::contains(int64_t t) const {
  return memory_.count(t) > 0 || on_disk_.count(t) > 0;
}

}  // namespace dpg::engine
