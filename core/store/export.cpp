// SPDX-License-Identifier: MIT
#include "core/store/export.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <ostream>
#include <stdexcept>

namespace dpg::store {
namespace {
bool valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text)
        .dump();  // the strict handler throws on a byte sequence that is not UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}
}  // namespace

size_t write_samples_jsonl(const RunStore& store, int64_t run_id, std::ostream& out) {
  size_t lines = 0;
  for (const auto& m : store.steps(run_id))
    for (const auto& smp : store.samples(run_id, m.step)) {
      nlohmann::json j = {{"step", m.step},       {"index", smp.index},
                          {"prompt", smp.prompt}, {"response", smp.response},
                          {"tau", smp.tau},       {"advantage", smp.advantage}};
      if (!smp.byte_tau.empty())
        j["byte_tau"] = smp.byte_tau;  // token credit: τ_ij per response byte
      if (!valid_utf8(smp.response)) {
        std::vector<int> bytes;
        for (unsigned char c : smp.response) bytes.push_back(c);
        j["response_bytes"] = bytes;
      }
      out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      if (!out) throw std::runtime_error("write failed");
      ++lines;
    }
  return lines;
}

size_t write_samples_jsonl(const RunStore& store, int64_t run_id, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot write");
  try {
    const size_t lines = write_samples_jsonl(store, run_id, static_cast<std::ostream&>(out));
    if (!out.flush()) throw std::runtime_error("write failed");
    return lines;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

}  // namespace dpg::store
