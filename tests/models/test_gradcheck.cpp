// SPDX-License-Identifier: MIT
// float64 gradient checks of one block of each architecture: autograd gradients against central
// finite differences, and a Hessian-vector product (double backward) against differences of
// gradients. (torch.autograd.gradcheck has no C++ counterpart.)
#include "core/model/transformer.h"
#include "tests/models/test_models.h"

#include <torch/torch.h>
#include <QtTest>

#include <random>

using namespace dpg::model;

namespace {

struct Problem {
  ModelConfig cfg;
  TensorMap params;
  torch::Tensor tokens, weights;
  ForwardOptions opt;
};

// One block, random non-trivial weights, a left-padded row, and a random linear read-out.
Problem make_problem(Arch arch) {
  Problem p;
  auto& c = p.cfg;
  c.arch = arch;
  c.vocab_size = 11;
  c.n_layer = 1;
  c.n_head = arch == Arch::Gpt2 ? 2 : 4;
  c.n_kv_head = arch == Arch::Gpt2 ? 2 : 2;
  c.d_model = arch == Arch::Gpt2 ? 8 : 16;
  c.d_ff = 12;
  c.max_ctx = 16;
  c.rope_theta = 100.0;
  c.tied_head = arch == Arch::Gpt2;
  torch::manual_seed(11);
  p.params = init_params(c, 5, torch::kFloat64);
  for (auto& [n, t] : p.params) t = t + 0.3 * torch::randn_like(t);  // norms and biases too
  p.tokens = torch::randint(0, c.vocab_size, {2, 6}, torch::kLong);
  p.opt.key_mask = torch::ones({2, 6}, torch::kBool);
  p.opt.key_mask.index_put_({1, torch::indexing::Slice(0, 2)}, false);
  p.opt.positions = (p.opt.key_mask.to(torch::kLong).cumsum(1) - 1).clamp_min(0);
  p.weights = torch::randn({2, 6, c.vocab_size}, torch::kFloat64);
  p.weights.index_put_({1, torch::indexing::Slice(0, 2)}, 0.0);  // padded outputs do not count
  return p;
}

torch::Tensor loss(const Problem& p, const TensorMap& params) {
  return (forward(p.cfg, params, p.tokens, p.opt) * p.weights).sum();
}

void check_gradients(Arch arch) {
  Problem p = make_problem(arch);
  TensorMap leaves;
  for (auto& [n, t] : p.params) leaves[n] = t.detach().clone().requires_grad_(true);
  std::vector<torch::Tensor> xs;
  for (auto& [n, t] : leaves) xs.push_back(t);
  const auto grads = torch::autograd::grad({loss(p, leaves)}, xs, {}, /*retain_graph=*/true,
                                           /*create_graph=*/true);
  // First order: a few random elements of every tensor, perturbed in a separate copy.
  {
    torch::NoGradGuard ng;
    TensorMap probe = clone_detached(p.params);
    const double h = 1e-6;
    std::mt19937 rng(3);
    size_t k = 0;
    for (auto& [name, t] : probe) {
      const auto& g = grads[k++];
      auto flat = t.view(-1);
      for (int s = 0; s < 5; ++s) {
        const int64_t i = int64_t(rng() % uint64_t(t.numel()));
        const double x0 = flat[i].item<double>();
        flat[i] = x0 + h;
        const double up = loss(p, probe).item<double>();
        flat[i] = x0 - h;
        const double down = loss(p, probe).item<double>();
        flat[i] = x0;
        const double num = (up - down) / (2 * h), ana = g.view(-1)[i].item<double>();
        QVERIFY2(std::abs(num - ana) <= 1e-6 + 1e-5 * std::abs(num),
                 (arch_name(arch) + " " + name + "[" + std::to_string(i) + "]: autograd " +
                  std::to_string(ana) + " vs finite difference " + std::to_string(num))
                     .c_str());
      }
    }
  }
  // Second order: H v from double backward against (g(x + h v) - g(x - h v)) / 2h.
  std::vector<torch::Tensor> vs;
  for (auto& x : xs) vs.push_back(torch::randn_like(x));
  torch::Tensor gv = torch::zeros({}, torch::kFloat64);
  for (size_t j = 0; j < xs.size(); ++j) gv = gv + (grads[j] * vs[j]).sum();
  const auto hv = torch::autograd::grad({gv}, xs);
  auto grads_at = [&](double step) {
    TensorMap moved;
    size_t j = 0;
    for (auto& [n, t] : leaves) moved[n] = (t.detach() + step * vs[j++]).requires_grad_(true);
    std::vector<torch::Tensor> ys;
    for (auto& [n, t] : moved) ys.push_back(t);
    return torch::autograd::grad({loss(p, moved)}, ys);
  };
  const double hh = 1e-5;
  const auto gp = grads_at(hh), gm = grads_at(-hh);
  for (size_t j = 0; j < xs.size(); ++j) {
    const auto num = (gp[j] - gm[j]) / (2 * hh);
    const double err = (num - hv[j]).abs().max().item<double>(),
                 scale = num.abs().max().item<double>();
    QVERIFY2(err <= 1e-5 + 1e-4 * scale, (arch_name(arch) + ": Hessian-vector product of tensor " +
                                          std::to_string(j) + " off by " + std::to_string(err))
                                             .c_str());
  }
}

}  // namespace

void TestModels::gradcheck_gpt2_block() {
  check_gradients(Arch::Gpt2);
}
void TestModels::gradcheck_llama_block() {
  check_gradients(Arch::Llama);
}
