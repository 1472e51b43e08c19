// SPDX-License-Identifier: MIT
#include "tools/pretrain.h"

#include "core/model/byte_tokenizer.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <random>

namespace dpg::tools {
using model::ModelConfig;
using model::TensorMap;
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Documents joined by <|endoftext|>, as one int64 stream.
torch::Tensor stream_of(const std::vector<std::string>& docs, size_t begin, size_t end,
                        const std::vector<size_t>& order) {
  std::vector<int64_t> ids;
  for (size_t k = begin; k < end; ++k) {
    ids.push_back(model::ByteTokenizer::kEndOfText);
    for (unsigned char c : docs[order[k]]) ids.push_back(c);
  }
  ids.push_back(model::ByteTokenizer::kEndOfText);
  return torch::tensor(ids, torch::kLong);
}

/// The shuffled documents: the first val_fraction (at least 10) held out, the rest for training.
struct Streams {
  torch::Tensor train, val;
};
Streams split_corpus(const std::vector<std::string>& docs, const PretrainOptions& o) {
  std::vector<size_t> order(docs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::mt19937_64 rng(o.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t n_val = std::max<size_t>(10, size_t(double(docs.size()) * o.val_fraction));
  return {stream_of(docs, n_val, docs.size(), order), stream_of(docs, 0, n_val, order)};
}

/// n random windows of len + 1 bytes (inputs and next-byte targets).
torch::Tensor windows(const torch::Tensor& stream, int64_t n, int64_t len, at::Generator& gen) {
  auto starts = at::randint(0, stream.size(0) - len - 1, {n}, gen,
                            torch::TensorOptions().dtype(torch::kLong));
  auto offs = torch::arange(len + 1, torch::kLong);
  return stream.index({starts.unsqueeze(1) + offs.unsqueeze(0)});
}

/// Next-byte cross-entropy, nats/byte.
torch::Tensor lm_loss(const ModelConfig& cfg, const TensorMap& p, const torch::Tensor& batch) {
  const int64_t L = batch.size(1) - 1;
  auto logits = model::forward(cfg, p, batch.narrow(1, 0, L));
  return torch::nn::functional::cross_entropy(logits.reshape({-1, cfg.vocab_size}),
                                              batch.narrow(1, 1, L).reshape({-1}));
}

/// AdamW (β = 0.9, 0.95) with weight decay on the matrices but the positions; none on norms and
/// biases.
std::unique_ptr<torch::optim::AdamW> make_optimizer(TensorMap& p, const PretrainOptions& o) {
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& [n, t] : p) (t.dim() == 2 && n != "wpe.weight" ? decay : no_decay).push_back(t);
  auto group = [&](std::vector<torch::Tensor> params, double wd) {
    return torch::optim::OptimizerParamGroup(
        std::move(params),
        std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(wd)));
  };
  return std::make_unique<torch::optim::AdamW>(
      std::vector<torch::optim::OptimizerParamGroup>{group(decay, o.weight_decay),
                                                     group(no_decay, 0.0)},
      torch::optim::AdamWOptions(o.lr));
}

/// Linear warm-up to lr, then cosine decay to lr/10.
double lr_at(int64_t step, const PretrainOptions& o) {
  if (step <= o.warmup) return o.lr * double(step) / double(o.warmup);
  return o.lr * (0.1 + 0.9 * 0.5 *
                           (1 + std::cos(M_PI * double(step - o.warmup) /
                                         double(std::max<int64_t>(1, o.steps - o.warmup)))));
}

}  // namespace

PretrainResult pretrain(const std::vector<std::string>& docs, const PretrainOptions& o) {
  if (docs.size() < 20)
    throw std::runtime_error("pretrain: the corpus has fewer than 20 documents");
  const auto t0 = Clock::now();
  const Streams data = split_corpus(docs, o);
  const int64_t L = o.config.max_ctx;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  auto val_gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  const auto val_batch = windows(data.val, 64, L, val_gen);
  TensorMap p = model::init_params(o.config, o.seed);
  std::vector<torch::Tensor> leaves;
  for (auto& [n, t] : p) leaves.push_back(t.requires_grad_(true));
  auto opt = make_optimizer(p, o);

  double running = 0;
  int64_t since = 0;
  PretrainResult res;
  for (int64_t step = 1; step <= o.steps; ++step) {
    if (o.cancelled && o.cancelled()) throw std::runtime_error("cancelled");
    const double lr = lr_at(step, o);
    for (auto& g : opt->param_groups())
      static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    opt->zero_grad();
    auto loss = lm_loss(o.config, p, windows(data.train, o.batch, L, gen));
    loss.backward();
    torch::nn::utils::clip_grad_norm_(leaves, o.grad_clip);
    opt->step();
    running += loss.item<double>();
    ++since;
    if (step % o.eval_every != 0 && step != o.steps && step != 1) continue;
    PretrainProgress pr;
    pr.step = step;
    pr.steps = o.steps;
    pr.train_loss = running / double(since);
    {
      torch::NoGradGuard no_grad;
      pr.val_loss = lm_loss(o.config, p, val_batch).item<double>();
    }
    pr.lr = lr;
    pr.elapsed_s = seconds_since(t0);
    running = 0;
    since = 0;
    res.val_loss = pr.val_loss;
    if (o.progress) o.progress(pr);
    if (o.checkpoint) o.checkpoint(step, model::clone_detached(p));
  }
  res.params = model::clone_detached(p);
  res.seconds = seconds_since(t0);
  return res;
}

}  // namespace dpg::tools
