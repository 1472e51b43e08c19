// SPDX-License-Identifier: MIT
#include "core/dpg/run_memory.h"

#include "core/dpg/checkpoint_plan.h"
#include "core/dpg/inner_trainer.h"
#include "core/dpg/metagrad.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace dpg::engine {
namespace {

int64_t param_bytes(const model::TensorMap& params) {
  int64_t n = 0;
  for (const auto& [name, t] : params) n += int64_t(t.nbytes());
  return n;
}

/// Longest prompt in tokens, with room for a chat template's framing.
int64_t prompt_tokens(const RunInputs& in) {
  size_t longest = 0;
  for (const auto& p : in.train_prompts)
    longest = std::max(longest, in.generator.tokenizer->encode(p).size());
  return int64_t(longest) + 32;
}

/// Saved activations of a float32 forward with autograd over @p rows sequences of @p L tokens:
/// per layer the attention and MLP intermediates, and the logits with their log-softmax and
/// gradient.
int64_t activation_bytes(const model::ModelConfig& c, int64_t rows, int64_t L) {
  const int64_t per_token =
      c.n_layer * (16 * c.d_model + 2 * c.d_ff + 2 * c.n_head * L) + 3 * c.vocab_size;
  return rows * L * per_token * 4;
}

std::string gib(int64_t bytes) {
  char buf[32];
  if (bytes < (int64_t(1) << 30))
    std::snprintf(buf, sizeof buf, "%.0f MiB", double(bytes) / double(int64_t(1) << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB", double(bytes) / double(int64_t(1) << 30));
  return buf;
}

/// Reads one number from a file (cgroup memory.max, memory.current); -1 when absent or "max".
int64_t read_number(const char* path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return -1;
  try {
    return std::stoll(word);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

int64_t RunMemory::peak() const {
  return models + std::max({generation, metagrad, update});
}

RunMemory estimate_run_memory(const config::RunConfig& cfg, const RunInputs& in) {
  RunMemory m;
  const auto& g = in.generator.config;
  m.models = 5 * param_bytes(in.generator.params) + param_bytes(in.target.params);
  const int64_t rows = cfg.grpo.prompts_per_step * cfg.grpo.group_size;
  const int64_t L = prompt_tokens(in) + cfg.grpo.max_new_tokens;
  m.generation = rows * L * g.n_layer * 2 * g.d_model * 4;
  const int64_t mb_rows = std::max<int64_t>(1, cfg.grpo.minibatch_prompts) * cfg.grpo.group_size;
  m.update = activation_bytes(g, std::min(mb_rows, rows), L);
  if (cfg.grpo.reward == config::Reward::Dpg) {
    const InnerTrainer trainer(in.target.config, in.target.params, cfg.inner, cfg.inner_batch());
    const int64_t seq = cfg.target.seq_len;
    m.schedule = cfg.inner.schedule == config::Schedule::Auto
                     ? choose_schedule(trainer, seq, cfg.inner.memory_budget_bytes()).first
                     : cfg.inner.schedule;
    m.metagrad = estimate_memory(trainer, seq, m.schedule);
  }
  return m;
}

int64_t available_memory() {
  int64_t available = -1;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    int64_t kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") available = kib * 1024;
  }
  const int64_t limit = read_number("/sys/fs/cgroup/memory.max");
  const int64_t used = read_number("/sys/fs/cgroup/memory.current");
  if (limit >= 0 && used >= 0) {
    const int64_t left = std::max<int64_t>(0, limit - used);
    available = available < 0 ? left : std::min(available, left);
  }
  return available;
}

std::string memory_refusal(const RunInputs& in, int64_t host_available, int ranks_on_host) {
  const auto& cfg = in.config;
  const RunMemory m = estimate_run_memory(cfg, in);
  const int64_t available = host_available < 0 ? -1 : host_available / std::max(1, ranks_on_host);
  if (available < 0 || m.peak() <= available) return {};
  std::string line = "the run needs about " + gib(m.peak()) + " of memory (models " +
                     gib(m.models) + ", generation " + gib(m.generation) + ", reverse pass " +
                     gib(m.metagrad) + " with inner.schedule=" + schedule_name(m.schedule) +
                     ", update " + gib(m.update) + ") but " + gib(host_available) + " is available";
  if (ranks_on_host > 1)
    line += " (" + gib(available) + " for each of the " + std::to_string(ranks_on_host) +
            " ranks on this host)";
  // The settings that lower the peak without changing the method, one after another; each takes
  // the largest divisor of its batch after which the run fits or its part is no longer the largest.
  config::RunConfig fit = cfg;
  std::string changes;
  auto shrink = [&](int64_t& setting, int64_t whole, const std::string& name, auto part) {
    auto done = [&] {
      const RunMemory e = estimate_run_memory(fit, in);
      return e.peak() <= available || part(e) < std::max({e.generation, e.metagrad, e.update});
    };
    const int64_t was = setting;
    for (int64_t d = whole - 1; d >= 1; --d) {
      if (whole % d != 0 || (setting != 0 && d >= setting)) continue;
      if (done()) break;
      setting = d;
    }
    if (setting != was)
      changes += (changes.empty() ? "" : " ") + name + "=" + std::to_string(setting);
  };
  if (cfg.grpo.reward == config::Reward::Dpg && estimate_run_memory(fit, in).peak() > available) {
    fit.inner.schedule = config::Schedule::Sqrt;
    changes = "inner.schedule=sqrt";
    shrink(fit.inner.micro_batch, cfg.inner_batch(), "inner.micro_batch",
           [](const RunMemory& e) { return e.metagrad; });
  }
  shrink(fit.grpo.minibatch_prompts, cfg.grpo.prompts_per_step, "grpo.minibatch_prompts",
         [](const RunMemory& e) { return e.update; });
  const int64_t left = estimate_run_memory(fit, in).peak();
  if (left <= available) return line + "; it fits with " + changes + " (about " + gib(left) + ")";
  return line + (changes.empty() ? "" : "; even with " + changes + " it needs about " + gib(left)) +
         ": lower grpo.prompts_per_step, grpo.group_size, grpo.max_new_tokens or target.seq_len";
}

}  // namespace dpg::engine
