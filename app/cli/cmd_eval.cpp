// SPDX-License-Identifier: MIT
// dpg eval ID [--step S] [--set validation.KEY=VALUE ...] [--samples N] [--pixels] [--png DIR]
// [--db PATH] [--device D] Re-validates a stored generator checkpoint (the best step by default)
// without touching the run: with the run's own settings it repeats the stored validation of that
// step exactly; with overrides (more repeats, another temperature or T_val) it measures the same
// policy another way.
#include "app/cli/commands.h"
#include "core/objective/bitmap.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/evaluate.h"
#include "core/session/run_session.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

namespace dpg::cli {
namespace {

struct EvalArgs {
  std::string db;
  int64_t id = 0;
  std::optional<int64_t> step;
  std::vector<std::string> sets;
  int samples = 0;
  bool pixels = false;
  std::string png_dir;
  int scale = 12;
  int threads = 0;
  std::string device;
};

/// Each pixel's hit rate in percent as a grid (rows = hidden dims, columns = tokens), with Y's
/// sign.
void print_pixel_rates(const engine::Validation& v) {
  const auto rates = session::pixel_hit_rates(v);
  if (rates.empty()) {
    std::printf("(this objective has no sign image)\n");
    return;
  }
  std::printf("pixel hit rate over %zu repeats, %% (Y sign):\n", v.signs.size());
  for (int64_t r = 0; r < rates.rows; ++r) {
    for (int64_t c = 0; c < rates.cols; ++c)
      std::printf(" %3d%c", int(std::lround(100.0 * rates.at(r, c))),
                  v.view.target.at(r, c) > 0 ? '+' : '-');
    std::printf("\n");
  }
  std::printf("all %zu pixels right in %ld of %zu repeats\n", v.view.target.data.size(),
              long(session::whole_image_repeats(v)), v.signs.size());
}

void eval_run(const EvalArgs& a) {
  session::EvalRequest req{
      a.db.empty() ? session::default_db_path() : a.db, a.id, a.step, a.sets, a.threads, a.device};
  plugin::PluginRegistry plugins;
  const auto res = session::evaluate_checkpoint(req, plugins);
  const auto& c = res.config.validation;
  std::fprintf(
      stderr,
      "run %ld, checkpoint of step %ld: %ld validation(s) of %ld prompts x %ld, T_val %ld, "
      "temperature %g, %ld thread%s\n",
      long(a.id), long(res.step), long(c.repeats), long(c.prompts),
      long(res.config.grpo.group_size), long(c.T), c.temperature, long(res.threads),
      res.threads == 1 ? "" : "s");
  const auto& v = res.validation;
  std::printf("%6s %12s %10s\n", "repeat", "phi_val", "metric");
  for (size_t r = 0; r < v.metrics.size(); ++r)
    std::printf("%6zu %12.6f %10.4f\n", r, v.Phis[r], v.metrics[r]);
  std::printf("mean   %12.6f %10.4f  (sd %.4f, min %.4f, max %.4f)\n", v.Phi, v.metric,
              res.metric_sd, res.metric_min, res.metric_max);
  if (res.stored_metric)
    std::printf("stored validation of step %ld: phi_val %.6f, metric %.4f\n", long(res.step),
                *res.stored_phi, *res.stored_metric);
  const auto judges = plugins.judges(res.config.objective.kind);
  if (const auto judge = judges && !v.view.target.empty() ? judges(v.view.target) : nullptr) {
    std::vector<plugin::Verdict>
        verdicts;  // e.g. a QR target: how many repeats scan, how far each is
    for (const auto& sign : v.signs) verdicts.push_back(judge->judge(sign));
    const auto passes =
        std::count_if(verdicts.begin(), verdicts.end(), [](const auto& x) { return x.pass; });
    std::printf("%s: %ld of %zu repeats' sign images %s\n", judge->terms().label.c_str(),
                long(passes), verdicts.size(), judge->terms().passes_many.c_str());
    for (size_t r = 0; r < verdicts.size(); ++r)
      if (!verdicts[r].detail.empty())
        std::printf("  repeat %zu: %s\n", r, verdicts[r].detail.c_str());
  }
  if (a.pixels) print_pixel_rates(v);
  if (!a.png_dir.empty()) {
    // Each repeat's sign image, as `dpg export --png` writes the stored ones, and Y beside them.
    if (v.signs.empty() || v.view.target.empty())
      throw std::invalid_argument("--png: this objective has no sign image");
    std::filesystem::create_directories(a.png_dir);
    const auto write = [&](const engine::Image& im, const std::string& name) {
      objective::write_png(objective::Bitmap::from_image(im),
                           (std::filesystem::path(a.png_dir) / name).string(), a.scale, 1);
    };
    write(v.view.target, "target.png");
    for (size_t r = 0; r < v.signs.size(); ++r) {
      char name[64];
      std::snprintf(name, sizeof name, "val_sign-step%05ld-repeat%02zu.png", long(res.step), r);
      write(v.signs[r], name);
    }
    std::fprintf(stderr, "wrote %zu sign images and target.png to %s\n", v.signs.size(),
                 a.png_dir.c_str());
  }
  for (int i = 0; i < a.samples && size_t(i) < v.responses.size(); ++i)
    std::printf("sample %d: %s\n", i, v.responses[size_t(i)].c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  auto* e = app.add_subcommand("eval", "Re-validate a stored generator checkpoint (read-only)");
  e->add_option("id", a->id, "Run id")->required();
  e->add_option("--step", a->step, "Checkpoint step (default: the run's best step)");
  e->add_option(
      "--set", a->sets,
      "Override how it is measured: validation.repeats, .temperature, .T or .prompts (repeatable)");
  e->add_option("--samples", a->samples, "Print this many validation samples (of repeat 0)");
  e->add_flag("--pixels", a->pixels,
              "Print each pixel's hit rate over the repeats (bitmap objectives)");
  e->add_option("--png", a->png_dir,
                "Folder for each repeat's sign image (bitmap objectives) and Y");
  e->add_option("--scale", a->scale, "Pixels per LM-head cell in the PNGs")->capture_default_str();
  e->add_option("--db", a->db, "Run database");
  e->add_option("--threads", a->threads,
                "Intra-op threads (default: the run's own, as its validations used)");
  e->add_option("--device", a->device,
                "Where the validation runs: cpu, cuda or cuda:N (default: the run's run.device)");
  e->callback([a] { eval_run(*a); });
}

}  // namespace dpg::cli
