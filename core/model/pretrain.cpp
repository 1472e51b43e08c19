// SPDX-License-Identifier: MIT
#include "core/model/pretrain.h"

#include "core/model/byte_tokenizer.h"
#include "core/model/transformer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <random>

namespace dpg::model {
namespace {

// Documents joined by <|endoftext|>, as one int64 stream.
torch::Tensor stream_of(const std::vector<std::string>& docs, size_t begin, size_t end,
                        const std::vector<size_t>& order) {
  std::vector<int64_t> ids;
  for (size_t k = begin; k < end; ++k) {
    ids.push_back(ByteTokenizer::kEndOfText);
    for (unsigned char c : docs[order[k]]) ids.push_back(c);
  }
  ids.push_back(ByteTokenizer::kEndOfText);
  return torch::tensor(ids, torch::kLong);
}

torch::Tensor windows(const torch::Tensor& stream, int64_t n, int64_t len, at::Generator& gen) {
  auto starts = at::randint(0, stream.size(0) - len - 1, {n}, gen, torch::TensorOptions().dtype(torch::kLong));
  auto offs = torch::arange(len + 1, torch::kLong);
  return stream.index({starts.unsqueeze(1) + offs.unsqueeze(0)});
}

torch::Tensor lm_loss(const ModelConfig& cfg, const TensorMap& p, const torch::Tensor& batch) {
  const int64_t L = batch.size(1) - 1;
  auto logits = forward(cfg, p, batch.narrow(1, 0, L));
  return torch::nn::functional::cross_entropy(logits.reshape({-1, cfg.vocab_size}),
                                              batch.narrow(1, 1, L).reshape({-1}));
}

}  // namespace

PretrainResult pretrain(const std::vector<std::string>& docs, const PretrainOptions& o) {
  if (docs.size() < 20) throw std::runtime_error("pretrain: the corpus has fewer than 20 documents");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<size_t> order(docs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::mt19937_64 rng(o.seed);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t n_val = std::max<size_t>(10, size_t(double(docs.size()) * o.val_fraction));
  auto train = stream_of(docs, n_val, docs.size(), order);
  auto val = stream_of(docs, 0, n_val, order);
  const int64_t L = o.config.max_ctx;

  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  auto val_gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 1);
  auto val_batch = windows(val, 64, L, val_gen);
  TensorMap p = init_params(o.config, o.seed);
  std::vector<torch::Tensor> leaves;
  for (auto& [n, t] : p) leaves.push_back(t.requires_grad_(true));
  // No weight decay on norms, biases and positions.
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& [n, t] : p) (t.dim() == 2 && n != "wpe.weight" ? decay : no_decay).push_back(t);
  torch::optim::AdamW opt({torch::optim::OptimizerParamGroup(decay, std::make_unique<torch::optim::AdamWOptions>(
                               torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(o.weight_decay))),
                           torch::optim::OptimizerParamGroup(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                               torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(0.0)))},
                          torch::optim::AdamWOptions(o.lr));
  auto eval = [&] {
    torch::NoGradGuard ng;
    return lm_loss(o.config, p, val_batch).item<double>();
  };
  double running = 0;
  int64_t since = 0;
  PretrainResult res;
  for (int64_t step = 1; step <= o.steps; ++step) {
    if (o.cancelled && o.cancelled()) throw std::runtime_error("cancelled");
    // linear warm-up, cosine decay to lr/10
    double lr = step <= o.warmup ? o.lr * double(step) / double(o.warmup)
                                 : o.lr * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * double(step - o.warmup) /
                                                                         double(std::max<int64_t>(1, o.steps - o.warmup)))));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    opt.zero_grad();
    auto loss = lm_loss(o.config, p, windows(train, o.batch, L, gen));
    loss.backward();
    torch::nn::utils::clip_grad_norm_(leaves, o.grad_clip);
    opt.step();
    running += loss.item<double>();
    ++since;
    const bool last = step == o.steps;
    if (step % o.eval_every == 0 || last || step == 1) {
      PretrainProgress pr;
      pr.step = step;
      pr.steps = o.steps;
      pr.train_loss = running / double(since);
      pr.val_loss = eval();
      pr.lr = lr;
      pr.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      running = 0;
      since = 0;
      res.val_loss = pr.val_loss;
      if (o.progress) o.progress(pr);
      if (o.checkpoint) o.checkpoint(step, clone_detached(p));
    }
  }
  res.params = clone_detached(p);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace dpg::model
