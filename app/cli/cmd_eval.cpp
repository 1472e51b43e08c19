// SPDX-License-Identifier: MIT
// dpg eval ID [--step S] [--set validation.KEY=VALUE ...] [--samples N] [--pixels] [--db PATH]
// Re-validates a stored generator checkpoint (the best step by default) without touching the run:
// with the run's own settings it repeats the stored validation of that step exactly; with overrides
// (more repeats, another temperature or T_val) it measures the same policy another way.
#include "app/cli/commands.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/run_session.h"
#include "core/store/run_store.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>

namespace dpg::cli {
namespace {
namespace fs = std::filesystem;

struct EvalArgs {
  std::string db;
  int64_t id = 0;
  std::optional<int64_t> step;
  std::vector<std::string> sets;
  int samples = 0;
  bool pixels = false;
  int threads = 0;
};

/// The checkpoint file of @p step: the stored path, else the same name beside this database (a copied store).
std::string checkpoint_file(const store::RunStore& st, const std::string& db, int64_t id, int64_t step) {
  for (const auto& ck : st.checkpoints(id)) {
    if (ck.step != step) continue;
    if (fs::exists(ck.path)) return ck.path;
    const auto here = fs::path(session::checkpoint_dir(db, id)) / fs::path(ck.path).filename();
    if (fs::exists(here)) return here.string();
    throw std::invalid_argument("the checkpoint of step " + std::to_string(step) + " is missing: " + ck.path);
  }
  std::string have;
  for (const auto& ck : st.checkpoints(id)) have += (have.empty() ? "" : ", ") + std::to_string(ck.step);
  throw std::invalid_argument("run " + std::to_string(id) + " has no checkpoint of step " + std::to_string(step) +
                              (have.empty() ? std::string(" (it has none)") : " (steps with one: " + have + ")"));
}

/// How often each pixel's sign matched Y over the repeats, in percent, as a grid (rows = hidden dims,
/// columns = tokens), with Y's sign beside each value: which pixels the policy sets reliably, and which not.
void print_pixel_rates(const engine::Validation& v) {
  const auto& y = v.view.target;
  if (y.empty() || v.signs.empty()) {
    std::printf("(this objective has no sign image)\n");
    return;
  }
  std::printf("pixel hit rate over %zu repeats, %% (Y sign):\n", v.signs.size());
  for (int64_t r = 0; r < y.rows; ++r) {
    for (int64_t c = 0; c < y.cols; ++c) {
      int hits = 0;
      for (const auto& s : v.signs) hits += s.at(r, c) == y.at(r, c);  // as pixel accuracy counts it
      std::printf(" %3d%c", int(std::lround(100.0 * hits / double(v.signs.size()))), y.at(r, c) > 0 ? '+' : '-');
    }
    std::printf("\n");
  }
}

void eval_run(const EvalArgs& a) {
  if (a.threads > 0) torch::set_num_threads(a.threads);
  const std::string db = a.db.empty() ? session::default_db_path() : a.db;
  auto st = store::RunStore::open(db, /*read_only=*/true);
  auto info = st.run(a.id);
  if (!info) throw std::invalid_argument("no run " + std::to_string(a.id) + " in " + db);
  int64_t step = 0;
  if (a.step) step = *a.step;
  else if (info->best_step) step = *info->best_step;
  else throw std::invalid_argument("run " + std::to_string(a.id) + " has no best step yet; name one with --step");

  auto cfg = config::RunConfig::from_json(nlohmann::json::parse(info->config_json));
  for (const auto& kv : a.sets) {
    // Only how the policy is measured may change: anything else would validate a different run.
    if (kv.rfind("validation.", 0) != 0)
      throw std::invalid_argument("eval --set takes validation.* fields only, not '" + kv + "'");
    cfg.apply_override(kv);
  }
  if (cfg.validation.every == 0) cfg.validation.every = 1;  // a run that never validated still can be
  cfg.validate();

  plugin::PluginRegistry plugins;
  engine::DpgRun run(session::make_run_inputs(cfg, plugins));
  const auto path = checkpoint_file(st, db, a.id, step);
  run.load_checkpoint(path);
  std::fprintf(stderr, "run %ld, checkpoint of step %ld: %ld validation(s) of %ld prompts x %ld, T_val %ld, "
               "temperature %g\n", long(a.id), long(step), long(cfg.validation.repeats), long(cfg.validation.prompts),
               long(cfg.grpo.group_size), long(cfg.validation.T), cfg.validation.temperature);
  const auto v = run.validate(step);

  std::printf("%6s %12s %10s\n", "repeat", "phi_val", "metric");
  for (size_t r = 0; r < v.metrics.size(); ++r) std::printf("%6zu %12.6f %10.4f\n", r, v.phis[r], v.metrics[r]);
  const double n = double(v.metrics.size());
  double var = 0;
  for (double x : v.metrics) var += (x - v.metric) * (x - v.metric);
  const double sd = n > 1 ? std::sqrt(var / (n - 1)) : 0.0;
  std::printf("mean   %12.6f %10.4f  (sd %.4f, min %.4f, max %.4f)\n", v.phi, v.metric, sd,
              *std::min_element(v.metrics.begin(), v.metrics.end()),
              *std::max_element(v.metrics.begin(), v.metrics.end()));
  for (const auto& m : st.steps(a.id))
    if (m.step == step && std::isfinite(m.val_metric))
      std::printf("stored validation of step %ld: phi_val %.6f, metric %.4f\n", long(step), m.val_phi, m.val_metric);
  if (a.pixels) print_pixel_rates(v);
  for (int i = 0; i < a.samples && size_t(i) < v.responses.size(); ++i)
    std::printf("sample %d: %s\n", i, v.responses[size_t(i)].c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  auto* e = app.add_subcommand("eval", "Re-validate a stored generator checkpoint (read-only)");
  e->add_option("id", a->id, "Run id")->required();
  e->add_option("--step", a->step, "Checkpoint step (default: the run's best step)");
  e->add_option("--set", a->sets,
                "Override how it is measured: validation.repeats, .temperature, .T or .prompts (repeatable)");
  e->add_option("--samples", a->samples, "Print this many validation samples (of repeat 0)");
  e->add_flag("--pixels", a->pixels, "Print each pixel's hit rate over the repeats (bitmap objectives)");
  e->add_option("--db", a->db, "Run database");
  e->add_option("--threads", a->threads, "Intra-op threads");
  e->callback([a] { eval_run(*a); });
}

}  // namespace dpg::cli
