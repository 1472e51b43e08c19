// SPDX-License-Identifier: MIT
// dpg attribute --data FILE.jsonl --objective KIND [--params JSON] [--model PATH] [--T N] [--B N]
//               [--optimizer adamw|sgd] [--lr X] [--seed S] [--dtype float32|float64] [--out FILE]
//               [--world-size N] [--device cpu|cuda|cuda:N]
// Exact data attribution: trains 𝒜 once on the texts and writes one JSON line per example,
// {"index": i, "step": t, "tau": τ_i}, then a summary line with Φ before and after. With N ranks
// each computes its slice of every step (docs/scaling.md); rank 0 writes the same output.
#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "app/cli/ranks.h"
#include "core/config/device.h"
#include "core/dpg/dataset.h"
#include "core/dpg/metagrad.h"
#include "core/model/file_util.h"
#include "core/model/model_io.h"
#include "core/plugin/plugin_registry.h"
#include "core/resources/resources.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace dpg::cli {
namespace {

struct AttributeArgs {
  std::string model = "models/tiny-target";
  std::string data;
  std::string objective;
  std::string params = "{}";
  std::string out;
  int64_t T = 8, B = 0, seq_len = 0, micro_batch = 0;
  std::string optimizer = "adamw", dtype = "float64", schedule = "auto";
  double lr = 1e-2;
  uint64_t seed = 0;
  int threads = 0;
  std::string device = "cpu";
  RankArgs ranks;
};

std::vector<std::string> read_texts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::string> texts;
  std::string line;
  int64_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(lineno) + ": not JSON");
    }
    if (j.is_string())
      texts.push_back(j.get<std::string>());
    else if (j.is_object() && j.contains("text") && j["text"].is_string())
      texts.push_back(j["text"].get<std::string>());
    else
      throw std::runtime_error(path + ":" + std::to_string(lineno) +
                               ": expected {\"text\": \"...\"} or a JSON string");
  }
  if (texts.empty()) throw std::runtime_error(path + ": no examples (empty file)");
  return texts;
}

void run_attribute(const AttributeArgs& a) {
  if (launches_ranks(a.ranks)) return launch_local_ranks(a.ranks);
  if (a.threads > 0) torch::set_num_threads(a.threads);
  const auto device = config::usable_device(a.device);
  const auto collective = join_ranks(a.ranks);
  const bool writer = !collective || collective->rank() == 0;
  auto texts = read_texts(a.data);
  const int64_t B = a.B > 0 ? a.B : int64_t(texts.size()) / a.T;
  if (a.T < 1) throw std::invalid_argument("--T must be at least 1");
  if (B < 1 || int64_t(texts.size()) < a.T * B) {
    throw std::invalid_argument(a.data + ": " + std::to_string(texts.size()) +
                                " examples, fewer than T·B = " + std::to_string(a.T) + "·" +
                                std::to_string(std::max<int64_t>(B, 1)));
  }
  texts.resize(size_t(a.T * B));  // each example is used once; extra lines are left out
  nlohmann::json params;
  try {
    params = nlohmann::json::parse(a.params);
  } catch (const std::exception&) {
    throw std::invalid_argument("--params is not valid JSON: " + a.params);
  }

  engine::InnerConfig ic;
  ic.T = a.T;
  ic.lr = a.lr;
  ic.micro_batch = a.micro_batch;
  const auto dtype = config::parse_enum<config::Dtype>(a.dtype);
  const auto optimizer = config::parse_enum<config::InnerOptimizer>(a.optimizer);
  if (!dtype) throw std::invalid_argument("--dtype must be float32 or float64");
  if (!optimizer) throw std::invalid_argument("--optimizer must be adamw or sgd");
  ic.dtype = *dtype;
  ic.optimizer = *optimizer;
  auto target =
      model::load_model(resources::resolve_model_path(a.model), engine::torch_dtype(ic.dtype));
  const int64_t seq_len =
      a.seq_len > 0 ? a.seq_len : std::min<int64_t>(target.config.max_ctx + 1, 129);
  plugin::PluginRegistry registry;
  auto obj = registry.create(
      a.objective, params, plugin::TargetContext{target.tokenizer.get(), seq_len, &target.config});
  obj->check_compatible(target.config);

  torch::manual_seed(a.seed);
  engine::InnerTrainer trainer(target.config, model::to_device(target.params, device), ic, B);
  trainer.set_collective(collective.get());
  auto data = engine::make_inner_data(*target.tokenizer, texts, seq_len);

  engine::MetagradOptions mo;
  mo.schedule = engine::parse_schedule(a.schedule);
  ProgressBar bar("attribute");
  mo.progress = [&](int64_t done, int64_t total, const std::string& phase) {
    if (writer) bar.update(done, total, phase);
  };
  const auto cfg = target.config;
  const engine::Objective* objective = obj.get();
  auto r = engine::metagrad(
      trainer, data,
      [&](const model::TensorMap& pT, const model::TensorMap& p0) {
        return objective->Phi(cfg, pT, p0);
      },
      mo);
  auto before = obj->view(cfg, trainer.params0(), trainer.params0());
  auto after = obj->view(cfg, r.params_T, trainer.params0());
  if (!writer) return;
  bar.finish(r.schedule_reason);

  std::ostringstream out;
  for (int64_t i = 0; i < data.size(); ++i) {
    nlohmann::json line = {{"index", i}, {"step", i / B + 1}, {"tau", r.tau[i].item<double>()}};
    out << line.dump() << "\n";
  }
  nlohmann::json summary = {{"summary", true},
                            {"objective", a.objective},
                            {"phi_before", r.Phi_initial},
                            {"phi_after", r.Phi},
                            {"metric_name", obj->metric_name()},
                            {"metric_before", before.metric},
                            {"metric_after", after.metric},
                            {"T", a.T},
                            {"B", B},
                            {"world_size", collective ? collective->world() : 1},
                            {"schedule", engine::schedule_name(r.schedule)},
                            {"seconds", r.timings.total_s}};
  out << summary.dump() << "\n";
  if (a.out.empty())
    std::cout << out.str();
  else
    model::write_file_atomic(a.out, out.str());
}

}  // namespace

void add_attribute_command(CLI::App& app) {
  auto a = std::make_shared<AttributeArgs>();
  auto* cmd = app.add_subcommand("attribute", "Exact per-example metagradients (data attribution)");
  cmd->add_option("--data", a->data, "JSONL of training texts: {\"text\": ...} per line")
      ->required();
  cmd->add_option("--objective", a->objective,
                  "Objective kind (lmhead_bitmap, lmhead_norm, lmhead_row_norms, text_likelihood)")
      ->required();
  cmd->add_option("--params", a->params,
                  "Objective parameters as JSON, e.g. '{\"source\":\"67\"}'");
  cmd->add_option("--model", a->model, "Target model (file, folder or bundled name)")
      ->capture_default_str();
  cmd->add_option("--T", a->T, "Inner optimiser steps")->capture_default_str();
  cmd->add_option("--B", a->B, "Examples per step (default: all examples / T)");
  cmd->add_option("--optimizer", a->optimizer, "adamw or sgd")->capture_default_str();
  cmd->add_option("--lr", a->lr, "Inner learning rate")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
  cmd->add_option("--dtype", a->dtype, "float32 or float64")->capture_default_str();
  cmd->add_option("--seq-len", a->seq_len, "Padded length (default: the target's context + 1)");
  cmd->add_option("--micro-batch", a->micro_batch, "Examples per micro-batch (0 = whole step)");
  cmd->add_option("--schedule", a->schedule, "auto, all, sqrt, all+graphs, sqrt+graphs, unroll")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Intra-op threads");
  cmd->add_option("--device", a->device,
                  "Where the inner run and its metagradient run: cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->add_option("--out", a->out, "Write the JSON lines here instead of stdout");
  add_rank_options(cmd, a->ranks);
  cmd->callback([a] { run_attribute(*a); });
}

}  // namespace dpg::cli
