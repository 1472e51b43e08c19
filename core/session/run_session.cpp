// SPDX-License-Identifier: MIT
#include "core/session/run_session.h"

#include "core/config/continuation.h"
#include "core/config/device.h"
#include "core/dpg/errors.h"
#include "core/dpg/inner_trainer.h"
#include "core/dpg/prompts.h"
#include "core/dpg/rank_share.h"
#include "core/dpg/run_memory.h"
#include "core/log/log.h"
#include "core/model/errors.h"
#include "core/plugin/plugin_registry.h"
#include "core/resources/resources.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace dpg::session {
namespace fs = std::filesystem;

std::string default_db_path() {
  if (const char* e = std::getenv("DPG_DB"); e && *e) return e;
  fs::path base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    base = fs::path(h) / ".local/share";
  else
    base = fs::temp_directory_path();
  return (base / "dpg-workbench" / "runs.db").string();
}

int use_run_threads(int64_t requested, int64_t configured, int64_t fallback) {
  const int64_t threads = requested > 0 ? requested : configured > 0 ? configured : fallback;
  if (threads > 0) torch::set_num_threads(int(threads));
  return torch::get_num_threads();
}

std::string checkpoint_dir(const std::string& db_path, int64_t run_id) {
  // Named after the database file, like SQLite's -wal and -shm: two stores in one folder both have
  // a run 1.
  const fs::path db(db_path);
  return (db.parent_path() / (db.filename().string() + "-checkpoints") /
          ("run-" + std::to_string(run_id)))
      .string();
}

void delete_run(const std::string& db_path, int64_t run_id) {
  auto lease = RunLease::acquire(db_path, run_id);
  for (const auto& file : store::RunStore::open(db_path).delete_run(run_id))
    std::remove(file.c_str());
  std::remove(RunLease::path(db_path, run_id).c_str());
  lease.release();
  std::error_code ec;
  fs::remove(checkpoint_dir(db_path, run_id), ec);  // only if now empty
}

void check_memory(const engine::RunInputs& in, int ranks_on_host) {
  if (const char* skip = std::getenv("DPG_SKIP_MEMORY_CHECK"); skip && *skip && *skip != '0')
    return;
  // The estimate is of host memory; a run on a GPU holds it there (too much is a CUDA error).
  if (!config::parse_device(in.config.run.device).is_cpu()) return;
  if (auto why = engine::memory_refusal(in, engine::available_memory(), ranks_on_host);
      !why.empty())
    throw std::runtime_error(why);
}

engine::RunInputs make_run_inputs(const config::RunConfig& cfg,
                                  const plugin::PluginRegistry& plugins) {
  cfg.validate();
  engine::RunInputs in;
  in.config = cfg;
  in.generator =
      model::load_model(resources::resolve_model_path(cfg.generator.model), torch::kFloat32);
  in.target = model::load_model(resources::resolve_model_path(cfg.target.model),
                                engine::torch_dtype(cfg.inner.dtype));
  auto make_objective = [&](const nlohmann::json& params) {
    return plugins.create(
        cfg.objective.kind, params,
        plugin::TargetContext{in.target.tokenizer.get(), cfg.target.seq_len, &in.target.config});
  };
  in.objective = make_objective(cfg.objective.params);
  for (size_t i = 0; i < cfg.objective.stages.size(); ++i) {
    const int64_t from = cfg.objective.stages[i]["from_step"].get<int64_t>();
    try {
      in.stages.push_back({from, make_objective(cfg.objective.params_at(from))});
    } catch (const std::exception& e) {  // the plugin's reason, placed at the stage that caused it
      throw model::ConfigError("objective.stages[" + std::to_string(i) + "].params: " + e.what());
    }
  }
  in.train_prompts = engine::load_prompts(cfg.prompts.train);
  in.val_prompts = engine::load_prompts(cfg.prompts.val);
  return in;
}

RunSession::RunSession(store::RunStore store, int64_t run_id, std::string db_path, RunLease lease,
                       std::unique_ptr<engine::DpgRun> run)
    : store_(std::move(store)),
      run_id_(run_id),
      db_path_(std::move(db_path)),
      lease_(std::move(lease)),
      run_(std::move(run)) {}

std::unique_ptr<RunSession> RunSession::create(const config::RunConfig& cfg,
                                               const std::string& preset,
                                               const std::string& db_path,
                                               const plugin::PluginRegistry& plugins,
                                               int ranks_on_host) {
  auto run = std::make_unique<engine::DpgRun>(
      make_run_inputs(cfg, plugins));  // fail before touching the store
  check_memory(run->inputs(), ranks_on_host);
  // A bare file name ("runs.db") has no folder to make: create_directories("") would throw.
  if (const auto dir = fs::path(db_path).parent_path(); !dir.empty()) fs::create_directories(dir);
  auto store = store::RunStore::open(db_path);
  const std::string name =
      cfg.name.empty() ? (preset.empty() ? std::string("run") : preset) : cfg.name;
  const int64_t id = store.create_run(name, preset, cfg.to_json().dump(), {},
                                      run->inputs().objective->metric_name());
  auto lease = RunLease::acquire(db_path, id);
  return std::unique_ptr<RunSession>(
      new RunSession(std::move(store), id, db_path, std::move(lease), std::move(run)));
}

std::unique_ptr<RunSession> RunSession::resume(int64_t run_id, const std::string& db_path,
                                               const plugin::PluginRegistry& plugins,
                                               const std::vector<std::string>& sets,
                                               const std::string& device, int ranks_on_host) {
  auto store = store::RunStore::open(db_path);
  auto info = store.run(run_id);
  RunLease lease;
  if (info) {  // claimed before anything is read for the resume: a holder may still be committing
               // steps
    lease = RunLease::acquire(db_path, run_id);
    info = store.run(run_id);
  }
  if (!info) throw std::invalid_argument("no run " + std::to_string(run_id) + " in " + db_path);
  const auto stored = config::RunConfig::from_json(nlohmann::json::parse(info->config_json));
  // The newest checkpoint whose file is intact; steps after it are re-run.
  int64_t resume_step = 0;
  std::string resume_path;
  for (const auto& ck : store.checkpoints(run_id)) {
    if (ck.step <= resume_step || !fs::exists(ck.path)) continue;
    if (store::RunStore::sha256_file(ck.path) != ck.sha256) continue;
    resume_step = ck.step;
    resume_path = ck.path;
  }
  auto base = stored;  // --device runs it elsewhere, unstored (as --threads)
  if (!device.empty()) base.run.device = device;
  const auto cfg = sets.empty() ? base : config::continued_config(base, sets, resume_step);
  if (info->status == store::RunStatus::Done && cfg.grpo.steps <= resume_step) {
    throw std::invalid_argument(
        "run " + std::to_string(run_id) + " has finished; nothing to resume (continue it " +
        "with --set grpo.steps=N, N > " + std::to_string(resume_step) + ")");
  }
  auto run = std::make_unique<engine::DpgRun>(
      make_run_inputs(cfg, plugins));  // fail before changing the store
  check_memory(run->inputs(), ranks_on_host);
  if (resume_step > 0) run->load_checkpoint(resume_path);
  store.truncate_after(run_id, resume_step);
  if (!sets.empty()) {
    auto keep = cfg;
    keep.run.device = stored.run.device;
    store.set_config(run_id, keep.to_json().dump());
  }
  const std::string metric = run->inputs().objective->metric_name();
  if (info->metric_name != metric)
    store.set_metric_name(run_id, metric);  // runs made before schema 3
  return std::unique_ptr<RunSession>(
      new RunSession(std::move(store), run_id, db_path, std::move(lease), std::move(run)));
}

void RunSession::join(engine::Collective* c) {
  if (!c || c->world() <= 1) return;
  engine::broadcast_text(*c, run_->inputs().config.to_json().dump());  // follow_run reads it
  run_->set_collective(c);
  run_->share_state();
}

void follow_run(engine::Collective& c, const plugin::PluginRegistry& plugins,
                const std::atomic<bool>& stop, int64_t threads, int64_t fallback_threads) {
  const auto cfg =
      config::RunConfig::from_json(nlohmann::json::parse(engine::broadcast_text(c, "")));
  engine::DpgRun run(make_run_inputs(cfg, plugins));
  run.set_collective(&c);
  run.share_state();
  use_run_threads(threads, cfg.threads, fallback_threads);
  while (!run.finished() && !run.agree_stop(stop.load())) run.step();
}

std::string RunSession::write_checkpoint(int64_t step) {
  const auto dir = checkpoint_dir(db_path_, run_id_);
  fs::create_directories(dir);
  const auto path = (fs::path(dir) / ("step-" + std::to_string(step) + ".safetensors")).string();
  run_->save_checkpoint(path);
  return path;
}

namespace {

/// Whether @p message is a write refused for want of space: ENOSPC, EDQUOT, EFBIG, SQLITE_FULL.
bool disk_full(const std::string& message) {
  for (const char* sign :
       {"No space left", "Disk quota exceeded", "File too large", "database or disk is full"})
    if (message.find(sign) != std::string::npos) return true;
  return false;
}

}  // namespace

void RunSession::save_step(engine::StepRecord& rec, bool with_checkpoint) {
  const int64_t s = rec.metrics.step;
  const std::string at = "step " + std::to_string(s);
  try {
    if (with_checkpoint) {
      log::stage(at + ": checkpoint write");
      rec.checkpoint_path = write_checkpoint(s);  // durable before the commit
    }
    log::stage(at + ": store commit");
    store_.commit_step(run_id_, rec);
  } catch (const std::exception& e) {
    const std::string why = disk_full(e.what()) ? "the disk is full" : "it could not be written";
    throw std::runtime_error(at + " was not saved: " + why + " (" + e.what() +
                             "); the steps before it are kept, and `dpg resume " +
                             std::to_string(run_id_) + "` continues the run once that is fixed");
  }
  log::stage(at + ": committed");
}

void RunSession::run_until(const std::atomic<bool>& stop,
                           const std::function<void(const engine::StepRecord&)>& on_step) {
  store_.set_status(run_id_, store::RunStatus::Running);
  const auto& cfg = run_->inputs().config;
  try {
    while (!run_->finished()) {
      if (run_->agree_stop(stop.load())) break;  // every rank of a data-parallel run agrees
      engine::StepRecord rec;
      try {
        rec = run_->step(&stop);
      } catch (const engine::Cancelled&) {
        break;  // the abandoned step changed nothing
      }
      const int64_t s = rec.metrics.step;
      const bool due = (cfg.checkpoint_every > 0 && s % cfg.checkpoint_every == 0) ||
                       rec.new_best || run_->finished() || stop.load();
      save_step(rec, due);
      if (on_step) on_step(rec);
    }
    // A stop between checkpoints leaves later steps committed without one: resume re-runs them
    // from the newest checkpoint (deterministically, see the header).
    store_.set_status(run_id_,
                      run_->finished() ? store::RunStatus::Done : store::RunStatus::Stopped);
  } catch (const std::exception& e) {
    try {
      store_.set_status(run_id_, store::RunStatus::Failed, e.what());
    } catch (const std::exception&) {
      // A full disk refuses this too; the run then reads as interrupted and resumes the same way.
    }
    throw;
  }
}

}  // namespace dpg::session
