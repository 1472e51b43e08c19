// SPDX-License-Identifier: MIT
// dpg pretrain --role generator|target --out DIR [--steps N] [--batch N] [--seed S]
// Trains a tiny byte-level GPT on WordNet examples, fortunes and Brown, with checkpoints.
#include "app/cli/commands.h"
#include "app/cli/progress.h"
#include "core/model/byte_tokenizer.h"
#include "core/model/model_io.h"
#include "core/model/transformer.h"
#include "tools/corpus.h"
#include "tools/pretrain.h"

#include <torch/torch.h>
#include <QCryptographicHash>

#include <cstdio>
#include <memory>

namespace dpg::cli {
namespace {

struct PretrainArgs {
  std::string role = "generator";
  std::string out;
  int64_t steps = 0;
  int64_t batch = 0;
  uint64_t seed = 1;
  int threads = 0;
  int64_t d_model = 0;  ///< 0: the role's size
  int64_t n_layer = 0;
  int64_t n_head = 0;
};

model::ModelConfig role_config(const PretrainArgs& a) {
  const std::string& role = a.role;
  model::ModelConfig c;
  c.arch = model::Arch::Gpt2;
  c.vocab_size = 257;
  c.bos_id = c.eos_id = c.pad_id = model::ByteTokenizer::kEndOfText;
  if (role == "generator") {  // ~0.64 M parameters (docs/method.md §8)
    c.d_model = 128, c.n_layer = 3, c.n_head = 4, c.max_ctx = 128;
  } else if (role == "target") {  // ~36 k parameters; hidden 32 ≥ 21 so a QR patch fits
    c.d_model = 32, c.n_layer = 2, c.n_head = 2, c.max_ctx = 64;
  } else {
    throw std::invalid_argument("--role must be 'generator' or 'target', not '" + role + "'");
  }
  if (a.d_model > 0) c.d_model = a.d_model;  // e.g. a larger target (docs/results.md (a))
  if (a.n_layer > 0) c.n_layer = a.n_layer;
  if (a.n_head > 0) c.n_head = a.n_head;
  if (c.d_model % c.n_head != 0)
    throw std::invalid_argument("--d-model " + std::to_string(c.d_model) +
                                " is not a multiple of --heads " + std::to_string(c.n_head));
  c.n_kv_head = c.n_head;
  c.d_ff = 4 * c.d_model;
  return c;
}

void run_pretrain(const PretrainArgs& a) {
  if (a.threads > 0) torch::set_num_threads(a.threads);
  tools::PretrainOptions o;
  o.config = role_config(a);
  o.steps = a.steps > 0 ? a.steps : (a.role == "generator" ? 1800 : 1500);
  o.batch = a.batch > 0 ? a.batch : (a.role == "generator" ? 16 : 32);
  o.lr = a.role == "generator" ? 3e-3 : 1e-2;
  o.seed = a.seed;
  tools::CorpusStats stats;
  auto docs = tools::load_pretraining_corpus(&stats);
  QCryptographicHash hash(QCryptographicHash::Sha256);
  for (const auto& d : docs) {
    hash.addData(QByteArrayView(d.data(), qsizetype(d.size())));
    hash.addData(QByteArrayView("\n", 1));
  }
  const std::string data_sha = hash.result().toHex().toStdString();
  std::fprintf(
      stderr,
      "corpus: %ld WordNet examples, %ld fortunes, %ld Brown sentences, %ld bytes, sha256 %s\n",
      long(stats.wordnet), long(stats.fortunes), long(stats.brown), long(stats.bytes),
      data_sha.c_str());
  std::fprintf(stderr, "model: %s, %ld parameters\n", a.role.c_str(),
               long(model::parameter_count(model::init_params(o.config, 0))));

  model::LoadedModel out;
  out.config = o.config;
  out.tokenizer = std::make_shared<model::ByteTokenizer>();
  out.metadata["role"] = a.role;
  out.metadata["command"] = "dpg pretrain --role " + a.role + " --out " + a.out + " --steps " +
                            std::to_string(o.steps) + " --batch " + std::to_string(o.batch) +
                            " --seed " + std::to_string(a.seed);
  if (a.d_model > 0) out.metadata["command"] += " --d-model " + std::to_string(a.d_model);
  if (a.n_layer > 0) out.metadata["command"] += " --layers " + std::to_string(a.n_layer);
  if (a.n_head > 0) out.metadata["command"] += " --heads " + std::to_string(a.n_head);
  out.metadata["data_sha256"] = data_sha;
  out.metadata["data_documents"] = std::to_string(docs.size());

  ProgressBar bar("pretrain " + a.role);
  o.progress = [&](const tools::PretrainProgress& p) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "loss %.3f  val %.3f nats/byte", p.train_loss, p.val_loss);
    bar.update(p.step, p.steps, buf);
  };
  o.checkpoint = [&](int64_t step, const model::TensorMap& params) {
    out.params = params;
    out.metadata["steps_done"] = std::to_string(step);
    model::save_model(a.out, out);  // atomic: a crash keeps the previous checkpoint
  };
  auto res = tools::pretrain(docs, o);
  out.params = res.params;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", res.val_loss);
  out.metadata["val_loss_nats_per_byte"] = buf;
  out.metadata["train_seconds"] = std::to_string(int(res.seconds));
  out.metadata["steps_done"] = std::to_string(o.steps);
  model::save_model(a.out, out);
  bar.finish("val loss " + std::string(buf) + " nats/byte -> " + a.out);
}

}  // namespace

void add_pretrain_command(CLI::App& app) {
  auto a = std::make_shared<PretrainArgs>();
  auto* cmd =
      app.add_subcommand("pretrain", "Pretrain a tiny byte-level GPT on the bundled corpora");
  cmd->add_option("--role", a->role, "generator (~0.64 M params) or target (~36 k params)")
      ->required();
  cmd->add_option("--out", a->out, "Output folder (model.safetensors + config.json)")->required();
  cmd->add_option("--steps", a->steps, "Optimiser steps (default: 1800 generator, 1500 target)");
  cmd->add_option("--batch", a->batch, "Windows per step (default: 16 generator, 32 target)");
  cmd->add_option("--seed", a->seed, "Seed");
  cmd->add_option("--threads", a->threads, "Intra-op threads (default: all cores)");
  cmd->add_option("--d-model", a->d_model,
                  "Hidden size (default: the role's, 128 generator, 32 target)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--layers", a->n_layer, "Transformer blocks (default: 3 generator, 2 target)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--heads", a->n_head,
                  "Attention heads; must divide --d-model (default: 4 generator, 2 target)")
      ->check(CLI::PositiveNumber);
  cmd->callback([a] { run_pretrain(*a); });
}

}  // namespace dpg::cli
