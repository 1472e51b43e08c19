// SPDX-License-Identifier: MIT
// dpg run --preset NAME [--config FILE] [--set key=value ...] [--db PATH] [--device D]
//         [--world-size N]
// dpg resume ID [--set key=value ...] [--db PATH] [--device D] [--world-size N]
// Runs DPG headless with a progress bar (step, Φ, metric, ETA); Ctrl-C stops after saving.
// With --world-size N (or a RANK/WORLD_SIZE environment) the run is data parallel: rank 0 drives
// the session and writes the store, the other ranks follow it (docs/scaling.md).
#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "app/cli/ranks.h"
#include "core/config/device.h"
#include "core/config/presets.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/run_session.h"
#include "core/store/verdict_summary.h"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

namespace dpg::cli {
namespace {

std::atomic<bool> g_stop{false};  // set by SIGINT/SIGTERM only (the CLI process's own state)
extern "C" void on_signal(int) {
  g_stop.store(true);
}

struct RunArgs {
  std::string preset;
  std::string config;
  std::vector<std::string> sets;
  std::string db;
  int64_t run_id = 0;
  int threads = 0;
  std::string device;
  RankArgs ranks;
};

constexpr const char* kDeviceHelp =
    "Where the engine runs: cpu, cuda or cuda:N (overrides run.device; docs/scaling.md)";

/// What the progress line's columns are, printed once before it.
void explain_columns(session::RunSession& s, const config::RunConfig& cfg) {
  const auto info = s.store().run(s.run_id());
  const std::string metric =
      info && !info->metric_name.empty() ? info->metric_name : std::string("readable metric");
  std::fprintf(stderr,
               "progress: Φ = objective after this step's inner training (higher is better); "
               "metric = %s of that target; val = %s at the newest validation (every %ld steps; "
               "@N: measured at step N); nll = fluency NLL per token under the starting "
               "generator\n",
               metric.c_str(), metric.c_str(), long(cfg.validation.every));
}

/// @p threads: --threads, else the run's config decides (for a resumed run, the stored config's
/// count), else @p host_share (a rank's share of its host's cores; 0: LibTorch's default).
void drive(session::RunSession& s, int threads, int host_share,
           const plugin::PluginRegistry& plugins) {
  const auto& cfg = s.run().inputs().config;
  session::use_run_threads(threads, cfg.threads, host_share);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::fprintf(stderr, "run %ld: %s, %ld steps, database %s\n", long(s.run_id()), cfg.name.c_str(),
               long(cfg.grpo.steps), s.store().path().c_str());
  explain_columns(s, cfg);
  ProgressBar bar("dpg run " + std::to_string(s.run_id()));
  // A resumed run shows its newest stored validation until it validates again, not "nan"; an
  // older validation than the step's carries its step ("val 0.488@25").
  double last_val = std::nan("");
  int64_t last_val_step = 0;
  for (const auto& m : s.store().steps(s.run_id()))
    if (std::isfinite(m.val_metric)) last_val = m.val_metric, last_val_step = m.step;
  // The objective's verdicts, when its plugin has some for this target (a QR code: "QR scans" / "QR
  // no scan" on the bar), and their summary at the end. The stored steps are judged once here; each
  // new validation is added as it comes (the target snapshot is stored with step 1, so a new run
  // gets its judge from its first record).
  const auto judges = plugins.judges(cfg.objective.kind);
  auto verdicts = store::summarise_validations(s.store(), s.run_id(), judges);
  s.run_until(g_stop, [&](const engine::StepRecord& r) {
    const auto& m = r.metrics;
    if (r.validated) last_val = m.val_metric, last_val_step = m.step;
    for (const auto& snap : r.snapshots)
      if (snap.kind == "target") verdicts.set_target(snap.image, judges);
    for (const auto& snap : r.snapshots)
      if (snap.kind == "val_sign") verdicts.add(m.step, snap.image);
    std::string mark;
    if (verdicts.validations > 0) {
      const auto& t = verdicts.judge->terms();
      mark = "  " + t.label + " " + (verdicts.newest_passes() ? t.pass_mark : t.fail_mark);
    }
    char val[32] = "–";  // no validation yet
    if (std::isfinite(last_val) && last_val_step == m.step)
      std::snprintf(val, sizeof val, "%.3f", last_val);
    else if (std::isfinite(last_val))
      std::snprintf(val, sizeof val, "%.3f@%ld", last_val, long(last_val_step));
    char buf[176];
    std::snprintf(buf, sizeof buf, "Φ %.4f  metric %.3f  val %s%s  nll %.2f  %.2fs/step", m.Phi,
                  m.metric, val, mark.c_str(), m.fluency_nll, m.step_seconds);
    bar.update(m.step, cfg.grpo.steps, buf);
  });
  const bool done = s.run().finished();
  const std::string id = std::to_string(s.run_id());
  const long made = long(s.run().next_step() - 1);
  bar.finish(done ? "finished, " + std::to_string(made) + " steps"
                  : "stopped at step " + std::to_string(made) + " of " +
                        std::to_string(cfg.grpo.steps));
  if (s.run().best_step() > 0)
    std::fprintf(stderr, "best validation metric %.4f at step %ld\n", s.run().best_metric(),
                 long(s.run().best_step()));
  else
    std::fprintf(stderr, "no validation yet (validation.every = %ld)\n",
                 long(cfg.validation.every));
  if (const auto line = store::describe(verdicts); !line.empty())
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fprintf(stderr,
               "next: dpg runs show %s   dpg export %s --png DIR%s   dpg-workbench (History)\n",
               id.c_str(), id.c_str(), done ? "" : ("   dpg resume " + id).c_str());
}

/// Refuses, before any rank starts, a data-parallel run the ranks could not split: every rank
/// needs an example of each inner step, and the ranks of one host each take their own GPU.
void check_splittable(const config::RunConfig& cfg, int world, const HostPlace& place) {
  if (world <= 1) return;
  const auto device = config::parse_device(cfg.run.device);
  if (device.is_cuda() && cfg.run.device != "cuda" && place.local_world > 1)
    throw std::invalid_argument(
        "--world-size: the ranks of one host each take their own GPU "
        "(cuda:LOCAL_RANK): give run.device cuda, not " +
        cfg.run.device);
  const int64_t fewest = std::min(cfg.inner_batch(), cfg.val_batch());
  if (fewest < world)
    throw std::invalid_argument("--world-size " + std::to_string(world) + ": each rank needs an " +
                                "example of every inner step, and this run has " +
                                std::to_string(fewest) + " (inner or validation batch)");
}

/// A rank other than 0 follows rank 0's run; true when this process was one.
bool followed(dist::C10dCollective* c, int threads, int host_share) {
  if (!c || c->rank() == 0) return false;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  plugin::PluginRegistry plugins;
  session::follow_run(*c, plugins, g_stop, threads, host_share);
  return true;
}

void run_new(const RunArgs& a) {
  config::RunConfig cfg;
  std::string preset = a.preset;
  if (!a.config.empty())
    cfg = config::load_run_config(a.config);
  else
    cfg = config::load_preset(preset.empty() ? (preset = "67-tiny") : preset);
  for (const auto& kv : a.sets) cfg.apply_override(kv);
  if (!a.device.empty()) cfg.run.device = a.device;
  cfg.validate();
  const HostPlace place = host_place(a.ranks);
  check_splittable(cfg, world_of(a.ranks), place);
  if (launches_ranks(a.ranks)) return launch_local_ranks(a.ranks);
  const int host_share = place_on_host(place);
  const auto ranks = join_ranks(a.ranks);
  if (followed(ranks.get(), a.threads, host_share)) return;
  plugin::PluginRegistry plugins;
  auto s = session::RunSession::create(
      cfg, preset, a.db.empty() ? session::default_db_path() : a.db, plugins, place.local_world);
  s->join(ranks.get());
  drive(*s, a.threads, host_share, plugins);
}

void run_resume(const RunArgs& a) {
  if (launches_ranks(a.ranks)) return launch_local_ranks(a.ranks);
  const HostPlace place = host_place(a.ranks);
  const int host_share = place_on_host(place);
  const auto ranks = join_ranks(a.ranks);
  if (followed(ranks.get(), a.threads, host_share)) return;
  plugin::PluginRegistry plugins;
  auto s = session::RunSession::resume(a.run_id, a.db.empty() ? session::default_db_path() : a.db,
                                       plugins, a.sets, a.device, place.local_world);
  if (ranks) check_splittable(s->run().inputs().config, ranks->world(), place);
  s->join(ranks.get());
  std::fprintf(stderr, "resuming run %ld at step %ld\n", long(a.run_id),
               long(s->run().next_step()));
  for (const auto& kv : a.sets) std::fprintf(stderr, "  continuing with %s\n", kv.c_str());
  drive(*s, a.threads, host_share, plugins);
}

}  // namespace

void add_run_commands(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand("run", "Run DPG from a preset or config (headless)");
  run->add_option("--preset", a->preset, "Preset name (default 67-tiny; see resources/presets)");
  run->add_option("--config", a->config, "RunConfig JSON file (instead of a preset)");
  run->add_option("--set", a->sets, "Override a field: key=value (repeatable), e.g. grpo.steps=50");
  run->add_option("--db", a->db,
                  "Run database (default: $DPG_DB or ~/.local/share/dpg-workbench/runs.db)");
  run->add_option("--threads", a->threads, "Intra-op threads");
  run->add_option("--device", a->device, kDeviceHelp);
  add_rank_options(run, a->ranks);
  run->callback([a] { run_new(*a); });

  auto b = std::make_shared<RunArgs>();
  auto* resume = app.add_subcommand(
      "resume", "Resume a stopped run from its newest checkpoint, or continue a run");
  resume->add_option("id", b->run_id, "Run id")->required();
  resume->add_option("--db", b->db, "Run database");
  resume->add_option(
      "--set", b->sets,
      "Continue with a changed field, where it leaves the steps made as they were (repeatable): "
      "grpo.steps=N to run on, a later lr drop or objective stage");
  resume->add_option("--threads", b->threads, "Intra-op threads");
  resume->add_option("--device", b->device,
                     "Where the engine runs: cpu, cuda or cuda:N (the stored run.device is kept)");
  add_rank_options(resume, b->ranks);
  resume->callback([b] { run_resume(*b); });
}

}  // namespace dpg::cli
