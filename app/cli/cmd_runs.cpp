// SPDX-License-Identifier: MIT
// dpg runs list [--db PATH]            the runs in the store
// dpg runs show ID [--db PATH]         one run: config, status, best step, verdicts (QR scans),
// recent steps dpg export ID --png DIR --csv FILE --samples FILE
//                                      LM-head images per snapshot step, the curves, every step's
//                                      samples
#include "app/cli/commands.h"
#include "core/objective/bitmap.h"
#include "core/session/run_lease.h"
#include "core/session/run_session.h"
#include "core/session/verdicts.h"
#include "core/store/export.h"
#include "core/store/run_store.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

namespace dpg::cli {
namespace {

struct RunsArgs {
  std::string db;
  int64_t id = 0;
  std::string png_dir, csv, samples;
  int border = 1;
  int scale = 12;
};

store::RunStore open_ro(const std::string& db) {
  return store::RunStore::open(db.empty() ? session::default_db_path() : db, /*read_only=*/true);
}

std::string num(double v, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

void list_runs(const RunsArgs& a) {
  auto st = open_ro(a.db);
  auto runs = st.list_runs();
  session::mark_interrupted(st.path(), runs);
  std::printf("%4s  %-20s %-12s %-11s %6s %10s  %s\n", "id", "name", "preset", "status", "step",
              "best", "created");
  for (const auto& r : runs) {
    std::printf("%4ld  %-20.20s %-12.12s %-11s %6s %10s  %s\n", long(r.id), r.name.c_str(),
                r.preset.c_str(), session::status_label(r).c_str(),
                r.last_step ? std::to_string(*r.last_step).c_str() : "-",
                r.best_step ? num(r.best_metric, "%.4f").c_str() : "-", r.created_at.c_str());
  }
}

void show_run(const RunsArgs& a) {
  auto st = open_ro(a.db);
  auto r = st.run(a.id);
  if (!r) throw std::invalid_argument("no run " + std::to_string(a.id) + " in " + st.path());
  r->interrupted = session::is_interrupted(st.path(), *r);
  const std::string why = r->interrupted
                              ? "(killed or crashed; `dpg resume " + std::to_string(a.id) +
                                    "` continues it from its newest checkpoint)"
                              : r->status_message;
  std::printf("run %ld: %s\nstatus: %s %s\npreset: %s\ncreated: %s\nnotes: %s\n", long(r->id),
              r->name.c_str(), session::status_label(*r).c_str(), why.c_str(), r->preset.c_str(),
              r->created_at.c_str(), r->notes.c_str());
  if (!r->metric_name.empty()) std::printf("metric: %s\n", r->metric_name.c_str());
  if (r->best_step)
    std::printf("best: step %ld, metric %.4f\n", long(*r->best_step), r->best_metric);
  if (const auto line =
          store::describe(session::validation_verdicts(st, a.id, plugin::PluginRegistry()));
      !line.empty())
    std::printf("%s\n", line.c_str());
  auto steps = st.steps(a.id);
  std::printf("steps: %zu\n%6s %10s %8s %10s %8s %8s %7s\n", steps.size(), "step", "phi", "metric",
              "val_metric", "nll", "entropy", "sec");
  const size_t from = steps.size() > 10 ? steps.size() - 10 : 0;
  for (size_t i = from; i < steps.size(); ++i) {
    const auto& m = steps[i];
    std::printf("%6ld %10.5f %8.4f %10s %8.3f %8.3f %7.2f\n", long(m.step), m.Phi, m.metric,
                num(m.val_metric, "%.4f").c_str(), m.fluency_nll, m.entropy, m.step_seconds);
  }
  if (!steps.empty()) {
    std::printf("samples at step %ld:\n", long(steps.back().step));
    auto samples = st.samples(a.id, steps.back().step);
    for (size_t i = 0; i < samples.size() && i < 4; ++i)
      std::printf("  [%+.2f] %s|%s\n", samples[i].advantage, samples[i].prompt.c_str(),
                  samples[i].response.c_str());
  }
  // The description is printed once, first line only; the config follows without it.
  auto config = nlohmann::json::parse(r->config_json);
  const std::string description = config.value("description", std::string());
  config.erase("description");
  if (!description.empty())
    std::printf("description: %s\n", description.substr(0, description.find('\n')).c_str());
  std::printf("config: %s\n", config.dump(2).c_str());
}

void export_run(const RunsArgs& a) {
  auto st = open_ro(a.db);
  if (!st.run(a.id))
    throw std::invalid_argument("no run " + std::to_string(a.id) + " in " + st.path());
  if (a.png_dir.empty() && a.csv.empty() && a.samples.empty())
    throw std::invalid_argument("give --png DIR, --csv FILE and/or --samples FILE");
  if (!a.samples.empty()) {
    const size_t lines = store::write_samples_jsonl(st, a.id, a.samples);
    std::fprintf(stderr, "wrote %zu samples to %s\n", lines, a.samples.c_str());
  }
  if (!a.csv.empty()) {
    std::ofstream out(a.csv);
    if (!out) throw std::runtime_error(a.csv + ": cannot write");
    out << "step,phi,metric,val_phi,val_metric,reward_mean,reward_std,policy_loss,clip_frac,kl,"
           "entropy,"
           "fluency_nll,gen_tok_per_s,step_seconds\n";
    for (const auto& m : st.steps(a.id)) {
      out << m.step << ',' << num(m.Phi, "%.9g") << ',' << num(m.metric) << ','
          << num(m.val_Phi, "%.9g") << ',' << num(m.val_metric) << ',' << num(m.reward_mean, "%.9g")
          << ',' << num(m.reward_std, "%.9g") << ',' << num(m.policy_loss) << ','
          << num(m.clip_frac) << ',' << num(m.kl) << ',' << num(m.entropy) << ','
          << num(m.fluency_nll) << ',' << num(m.gen_tok_per_s) << ',' << num(m.step_seconds)
          << '\n';
    }
    std::fprintf(stderr, "wrote %s\n", a.csv.c_str());
  }
  if (!a.png_dir.empty()) {
    std::filesystem::create_directories(a.png_dir);
    int written = 0;
    for (auto step : st.snapshot_steps(a.id)) {
      for (const auto& snap : st.snapshots(a.id, step)) {
        if (snap.kind.find("sign") == std::string::npos && snap.kind != "target") continue;
        char name[96];
        std::snprintf(name, sizeof name, "%s-step%05ld.png", snap.kind.c_str(), long(step));
        objective::write_png(objective::Bitmap::from_image(snap.image),
                             (std::filesystem::path(a.png_dir) / name).string(), a.scale, a.border);
        ++written;
      }
    }
    std::fprintf(stderr, "wrote %d images to %s\n", written, a.png_dir.c_str());
    const auto verdicts = session::validation_verdicts(st, a.id, plugin::PluginRegistry());
    if (const auto line = store::describe(verdicts); !line.empty())
      std::fprintf(stderr, "%s\n", line.c_str());
  }
}

}  // namespace

void add_runs_commands(CLI::App& app) {
  auto a = std::make_shared<RunsArgs>();
  auto* runs = app.add_subcommand("runs", "List and inspect stored runs");
  runs->require_subcommand(1);
  auto* list = runs->add_subcommand("list", "List the runs in the store");
  list->add_option("--db", a->db, "Run database");
  list->callback([a] { list_runs(*a); });
  auto* show = runs->add_subcommand("show", "Show one run");
  show->add_option("id", a->id, "Run id")->required();
  show->add_option("--db", a->db, "Run database");
  show->callback([a] { show_run(*a); });

  auto e = std::make_shared<RunsArgs>();
  auto* exp = app.add_subcommand(
      "export", "Export a run's LM-head images (PNG), curves (CSV) and samples (JSON Lines)");
  exp->add_option("id", e->id, "Run id")->required();
  exp->add_option("--png", e->png_dir, "Folder for the sign/target images per snapshot step");
  exp->add_option("--border", e->border,
                  "White cells around each image (4 = a QR code's quiet zone)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  exp->add_option("--csv", e->csv, "CSV file for the per-step curves");
  exp->add_option("--scale", e->scale, "Pixels per LM-head cell in the PNGs")
      ->capture_default_str();
  exp->add_option(
      "--samples", e->samples,
      "JSON Lines file of every step's samples (prompt, response, tau, advantage; byte_tau with "
      "token "
      "credit). A response that is not UTF-8 is written with U+FFFD and also as response_bytes");
  exp->add_option("--db", e->db, "Run database");
  exp->callback([e] { export_run(*e); });
}

}  // namespace dpg::cli
