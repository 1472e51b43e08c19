// SPDX-License-Identifier: MIT
#include "core/session/evaluate.h"

#include "core/session/run_session.h"
#include "core/store/run_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace dpg::session {
namespace fs = std::filesystem;
namespace {

/// The checkpoint file of @p step: the stored path, else the same name beside this database (a
/// copied store).
std::string checkpoint_file(const store::RunStore& st, const std::string& db, int64_t id,
                            int64_t step) {
  std::string have;
  for (const auto& ck : st.checkpoints(id)) {
    have += (have.empty() ? "" : ", ") + std::to_string(ck.step);
    if (ck.step != step) continue;
    if (fs::exists(ck.path)) return ck.path;
    const auto here = fs::path(checkpoint_dir(db, id)) / fs::path(ck.path).filename();
    if (fs::exists(here)) return here.string();
    throw std::invalid_argument("the checkpoint of step " + std::to_string(step) +
                                " is missing: " + ck.path);
  }
  throw std::invalid_argument(
      "run " + std::to_string(id) + " has no checkpoint of step " + std::to_string(step) +
      (have.empty() ? std::string(" (it has none)") : " (steps with one: " + have + ")"));
}

}  // namespace

EvalResult evaluate_checkpoint(const EvalRequest& req, const plugin::PluginRegistry& plugins,
                               const std::atomic<bool>* cancel) {
  auto st = store::RunStore::open(req.db_path, /*read_only=*/true);
  auto info = st.run(req.run_id);
  if (!info)
    throw std::invalid_argument("no run " + std::to_string(req.run_id) + " in " + req.db_path);
  EvalResult out;
  if (req.step)
    out.step = *req.step;
  else if (info->best_step)
    out.step = *info->best_step;
  else
    throw std::invalid_argument("run " + std::to_string(req.run_id) +
                                " has no best step yet; name a step");

  out.config = config::RunConfig::from_json(nlohmann::json::parse(info->config_json));
  for (const auto& kv : req.sets) {
    // Only how the policy is measured may change: anything else would validate a different run.
    if (kv.rfind("validation.", 0) != 0)
      throw std::invalid_argument("re-validation takes validation.* fields only, not '" + kv + "'");
    out.config.apply_override(kv);
  }
  if (out.config.validation.every == 0)
    out.config.validation.every = 1;  // a run that never validated still can be
  if (!req.device.empty()) out.config.run.device = req.device;
  out.config.validate();
  out.threads = use_run_threads(req.threads, out.config.threads);
  out.checkpoint = checkpoint_file(st, req.db_path, req.run_id, out.step);
  for (const auto& m : st.steps(req.run_id, out.step - 1))  // from that step on, not the whole run
    if (m.step == out.step && std::isfinite(m.val_metric)) {
      out.stored_phi = m.val_Phi;
      out.stored_metric = m.val_metric;
    }

  engine::DpgRun run(make_run_inputs(out.config, plugins));
  run.load_checkpoint(out.checkpoint);
  out.validation = run.validate(out.step, cancel);
  const auto& ms = out.validation.metrics;
  double var = 0;
  for (double x : ms) var += (x - out.validation.metric) * (x - out.validation.metric);
  out.metric_sd = ms.size() > 1 ? std::sqrt(var / double(ms.size() - 1)) : 0.0;
  out.metric_min = *std::min_element(ms.begin(), ms.end());
  out.metric_max = *std::max_element(ms.begin(), ms.end());
  return out;
}

engine::Image pixel_hit_rates(const engine::Validation& v) {
  const auto& y = v.view.target;
  engine::Image rates;
  if (y.empty() || v.signs.empty()) return rates;
  rates.rows = y.rows;
  rates.cols = y.cols;
  rates.data.assign(y.data.size(), 0.0f);
  for (const auto& s : v.signs)
    for (size_t i = 0; i < y.data.size(); ++i)
      rates.data[i] += s.data[i] == y.data[i] ? 1.0f : 0.0f;
  for (auto& r : rates.data) r /= float(v.signs.size());
  return rates;
}

int64_t whole_image_repeats(const engine::Validation& v) {
  const auto& y = v.view.target;
  if (y.empty()) return 0;
  return int64_t(std::count_if(v.signs.begin(), v.signs.end(),
                               [&](const engine::Image& s) { return s.data == y.data; }));
}

}  // namespace dpg::session
