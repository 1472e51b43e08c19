// SPDX-License-Identifier: MIT
#include "core/model/generate.h"

#include "core/model/decoder.h"
#include "core/model/errors.h"
#include "core/model/transformer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <tuple>

namespace dpg::model {

namespace {

// A row's choice among candidate tokens with probabilities @p probs [B, K] (ids @p idx, or the
// column itself when undefined): multinomial from @p gen, or the first candidate whose cumulative
// probability exceeds u·(total) when @p u [B] is given.
torch::Tensor choose(const torch::Tensor& probs, const torch::Tensor& idx, at::Generator& gen,
                     const torch::Tensor& u) {
  torch::Tensor pick;
  if (u.defined()) {
    const auto cdf = probs.to(torch::kFloat64).cumsum(-1).contiguous();
    const auto total = cdf.narrow(-1, cdf.size(-1) - 1, 1).contiguous();
    // The last candidate with mass is where the cdf first reaches its total: a u·total rounded up
    // to the total picks it, never a zero-probability candidate after it.
    const auto last = torch::searchsorted(cdf, total);
    const auto at = (u.to(torch::kFloat64).unsqueeze(1) * total).contiguous();
    pick = torch::minimum(torch::searchsorted(cdf, at, /*out_int32=*/false, /*right=*/true), last);
  } else {
    pick = torch::multinomial(probs, 1, false, gen);
  }
  return (idx.defined() ? idx.gather(-1, pick) : pick).squeeze(-1);
}

using Sorted = std::tuple<torch::Tensor, torch::Tensor>;  // logits sorted descending, their ids

// Nucleus choice from a row-wise descending prefix @p s (values, ids) of logits @p l: keep the
// smallest prefix whose mass reaches top_p (at least one token), then choose() among it.
torch::Tensor nucleus(const torch::Tensor& l, const Sorted& s, double top_p, at::Generator& gen,
                      const torch::Tensor& u) {
  const auto& [vals, idx] = s;
  const auto probs = (vals - l.logsumexp(-1, /*keepdim=*/true)).exp();
  const auto before = probs.cumsum(-1) - probs;  // mass strictly before each token
  const auto kept = vals.masked_fill(before > top_p, -std::numeric_limits<float>::infinity());
  return choose(torch::softmax(kept, -1), idx, gen, u);
}

}  // namespace

torch::Tensor sample_next(const torch::Tensor& logits, double temperature, double top_p,
                          at::Generator& gen, const torch::Tensor& u) {
  if (temperature <= 0.0) return logits.argmax(-1);
  auto l = logits.to(torch::kFloat32) / temperature;
  if (top_p >= 1.0) return choose(torch::softmax(l, -1), {}, gen, u);
  // Nucleus: keep the smallest prefix of the sorted distribution whose mass reaches top_p (at
  // least one token). Sorting the whole vocabulary costs more than a decoding step's attention,
  // so look at the top 256 first: when they already hold top_p of the mass (nearly always for a
  // trained LM) the nucleus lies inside them and the result is the same as with a full sort.
  // On a GPU the whole vocabulary is sorted: the choice would cost a host round trip per token.
  const int64_t k = std::min<int64_t>(256, l.size(-1));
  if (!l.is_cpu() || k == l.size(-1))
    return nucleus(l, l.sort(-1, /*descending=*/true), top_p, gen, u);
  auto top = l.topk(k, -1, /*largest=*/true, /*sorted=*/true);
  // Each row takes the top-k path when its own top k hold top_p of its mass, so a row's choice
  // does not depend on the rows sampled with it (row-indexed sampling, GenerateOptions).
  const auto in_top_k =
      ((std::get<0>(top) - l.logsumexp(-1, /*keepdim=*/true)).exp().sum(-1) > top_p);
  const int64_t n_in = in_top_k.sum().item<int64_t>();
  if (n_in == l.size(0)) return nucleus(l, top, top_p, gen, u);
  if (n_in == 0) return nucleus(l, l.sort(-1, /*descending=*/true), top_p, gen, u);
  // Mixed: each group of rows on its own path, then put back in row order.
  const auto rows_k = in_top_k.nonzero().squeeze(1), rows_v = (~in_top_k).nonzero().squeeze(1);
  const auto l_k = l.index_select(0, rows_k), l_v = l.index_select(0, rows_v);
  const auto u_k = u.defined() ? u.index_select(0, rows_k) : u;
  const auto u_v = u.defined() ? u.index_select(0, rows_v) : u;
  auto pick = torch::empty({l.size(0)}, torch::kLong);
  pick.index_copy_(
      0, rows_k,
      nucleus(l_k,
              {std::get<0>(top).index_select(0, rows_k), std::get<1>(top).index_select(0, rows_k)},
              top_p, gen, u_k));
  pick.index_copy_(0, rows_v, nucleus(l_v, l_v.sort(-1, /*descending=*/true), top_p, gen, u_v));
  return pick;
}

std::string response_text(const Tokenizer& tok, std::vector<int64_t> ids, bool stopped) {
  if (stopped && !ids.empty()) ids.pop_back();
  return tok.decode(ids, /*skip_special=*/true);
}

namespace {

// The longest prompt P; throws when a prompt is empty or P + N exceeds the context.
int64_t longest_prompt(const ModelConfig& cfg, const std::vector<std::vector<int64_t>>& prompts,
                       int64_t N) {
  int64_t P = 0;
  for (const auto& p : prompts) {
    if (p.empty()) throw ConfigError("generate: empty prompt");
    P = std::max<int64_t>(P, int64_t(p.size()));
  }
  if (P + N > cfg.max_ctx) {
    throw ConfigError("generate: prompt (" + std::to_string(P) + ") + max_new_tokens (" +
                      std::to_string(N) + ") exceeds the model context of " +
                      std::to_string(cfg.max_ctx));
  }
  return P;
}

// The options' stop ids, else the tokenizer's EOS, <|im_end|> and <|endoftext|> (those it has).
std::vector<int64_t> stop_ids_of(const Tokenizer& tok, const GenerateOptions& opt) {
  std::vector<int64_t> stops = opt.stop_ids;
  if (!stops.empty()) return stops;
  for (int64_t id : {tok.eos_id(), tok.special_id("<|im_end|>"), tok.special_id("<|endoftext|>")})
    if (id >= 0 && std::find(stops.begin(), stops.end(), id) == stops.end()) stops.push_back(id);
  return stops;
}

// Left-padded prompts: row r's prompt occupies columns [P - len_r, P); positions count real
// tokens; the mask [B, P + N] marks the real columns of the prompt part.
struct PaddedPrompts {
  torch::Tensor tokens, positions, mask;
  std::vector<int64_t> len;
};

PaddedPrompts left_pad(const std::vector<std::vector<int64_t>>& prompts, int64_t P, int64_t N,
                       int64_t pad) {
  const int64_t B = int64_t(prompts.size());
  PaddedPrompts pp{torch::full({B, P}, pad, torch::kLong), torch::zeros({B, P}, torch::kLong),
                   torch::zeros({B, P + N}, torch::kBool), std::vector<int64_t>(size_t(B))};
  auto ta = pp.tokens.accessor<int64_t, 2>();
  auto pa = pp.positions.accessor<int64_t, 2>();
  auto ma = pp.mask.accessor<bool, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const auto& p = prompts[size_t(r)];
    pp.len[size_t(r)] = int64_t(p.size());
    const int64_t off = P - int64_t(p.size());
    for (int64_t j = 0; j < int64_t(p.size()); ++j) {
      ta[r][off + j] = p[size_t(j)];
      pa[r][off + j] = j;
      ma[r][off + j] = true;
    }
  }
  return pp;
}

// Each row's tokens up to and including its stop token, from the [B, steps] tokens and
// log-probabilities the loop sampled (read back once).
void record_rows(const torch::Tensor& tokens, const torch::Tensor& logps,
                 const std::vector<int64_t>& stops, const GenerateOptions& opt,
                 GenerateResult& res) {
  const auto ta = tokens.accessor<int64_t, 2>();
  const auto la = logps.accessor<float, 2>();
  for (int64_t r = 0; r < tokens.size(0); ++r)
    for (int64_t t = 0; t < tokens.size(1); ++t) {
      res.tokens[size_t(r)].push_back(ta[r][t]);
      res.logprobs[size_t(r)].push_back(la[r][t]);
      if (opt.stop_at_eos && std::find(stops.begin(), stops.end(), ta[r][t]) != stops.end()) {
        res.stopped[size_t(r)] = true;
        break;
      }
    }
}

// The decoding loop: N steps of sample-then-decode over the KV cache, on the weights' device,
// with the device's generator seeded from opt.seed. The sampled tokens stay there until the loop
// ends; whether every row has stopped is read back each step on the CPU, every 16 on a GPU.
void decode_loop(const ModelConfig& cfg, const TensorMap& params, PaddedPrompts pp, int64_t N,
                 const std::vector<int64_t>& stops, int64_t pad, const GenerateOptions& opt,
                 GenerateResult& res) {
  const int64_t B = pp.tokens.size(0), P = pp.tokens.size(1);
  const auto dev = lm_head_weight(cfg, params).device();
  const auto on = torch::TensorOptions().device(dev);
  auto mask = pp.mask.to(dev);
  at::Generator gen = dev.is_cpu() ? at::make_generator<at::CPUGeneratorImpl>(opt.seed)
                                   : at::globalContext().defaultGenerator(dev).clone();
  if (!dev.is_cpu()) gen.set_current_seed(opt.seed);
  Decoder dec(cfg, params, B, P + N);
  auto logits = dec.step(pp.tokens.to(dev), pp.positions.to(dev), mask.narrow(1, 0, P));
  auto lens = torch::tensor(pp.len, torch::kLong).unsqueeze(1).to(dev);  // [B, 1]
  const auto stop_index = torch::tensor(stops, torch::kLong).to(dev);
  const bool hold_stops = opt.stop_at_eos && opt.min_new_tokens > 0 && !stops.empty();
  auto done = torch::zeros({B}, on.dtype(torch::kBool));
  auto tokens = torch::full({B, N}, pad, on.dtype(torch::kLong));
  auto logps = torch::zeros({B, N}, on.dtype(torch::kFloat32));
  const int64_t check_every = dev.is_cpu() ? 1 : 16;
  int64_t steps = 0;
  for (int64_t t = 0; t < N; ++t) {
    auto sample_from = logits;
    if (hold_stops && t < opt.min_new_tokens)
      sample_from = logits.index_fill(1, stop_index, -std::numeric_limits<double>::infinity());
    torch::Tensor u;  // row-indexed: this step's uniform of each row of the whole batch
    if (opt.rows_total > 0 && opt.temperature > 0)
      u = torch::rand({opt.rows_total}, gen, on.dtype(torch::kFloat64))
              .narrow(0, opt.row_offset, B);
    auto next = sample_next(sample_from, opt.temperature, opt.top_p, gen, u);
    logps.select(1, t).copy_(
        torch::log_softmax(logits.to(torch::kFloat32), -1).gather(1, next.unsqueeze(1)).squeeze(1));
    next = next.masked_fill(done, pad);  // a stopped row is fed padding
    tokens.select(1, t).copy_(next);
    steps = t + 1;
    if (opt.stop_at_eos && !stops.empty()) done.logical_or_(torch::isin(next, stop_index));
    if (t + 1 == N || (opt.cancel && opt.cancel->load())) break;
    if (steps % check_every == 0 && done.all().item<bool>()) break;
    mask.select(1, P + t).fill_(true);
    logits = dec.step(next.unsqueeze(1), lens + t, mask.narrow(1, 0, P + t + 1));
  }
  record_rows(tokens.narrow(1, 0, steps).cpu(), logps.narrow(1, 0, steps).cpu(), stops, opt, res);
}

}  // namespace

GenerateResult generate(const ModelConfig& cfg, const TensorMap& params, const Tokenizer& tok,
                        const std::vector<std::vector<int64_t>>& prompts,
                        const GenerateOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  c10::InferenceMode guard;
  GenerateResult res;
  const int64_t B = int64_t(prompts.size());
  if (B == 0) return res;
  const int64_t N = std::max<int64_t>(0, opt.max_new_tokens);
  const int64_t P = longest_prompt(cfg, prompts, N);
  if (opt.rows_total > 0 && (opt.row_offset < 0 || opt.row_offset + B > opt.rows_total))
    throw ConfigError("generate: rows [" + std::to_string(opt.row_offset) + ", " +
                      std::to_string(opt.row_offset + B) + ") lie outside a batch of " +
                      std::to_string(opt.rows_total));
  const int64_t pad = opt.pad_id >= 0     ? opt.pad_id
                      : tok.pad_id() >= 0 ? tok.pad_id()
                                          : std::max<int64_t>(0, tok.eos_id());
  res.tokens.assign(size_t(B), {});
  res.logprobs.assign(size_t(B), {});
  res.stopped.assign(size_t(B), false);
  if (N > 0)
    decode_loop(cfg, params, left_pad(prompts, P, N, pad), N, stop_ids_of(tok, opt), pad, opt, res);
  for (int64_t r = 0; r < B; ++r) {
    res.texts.push_back(response_text(tok, res.tokens[size_t(r)], res.stopped[size_t(r)]));
    res.new_tokens += int64_t(res.tokens[size_t(r)].size());
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

GenerateResult generate_text(const ModelConfig& cfg, const TensorMap& params, const Tokenizer& tok,
                             const std::vector<std::string>& prompts, const GenerateOptions& opt) {
  std::vector<std::vector<int64_t>> ids;
  ids.reserve(prompts.size());
  for (const auto& p : prompts) {
    auto v = tok.encode(p, /*parse_special=*/true);
    if (v.empty() && tok.bos_id() >= 0) v.push_back(tok.bos_id());
    ids.push_back(std::move(v));
  }
  return generate(cfg, params, tok, ids, opt);
}

}  // namespace dpg::model
