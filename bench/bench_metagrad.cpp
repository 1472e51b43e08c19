// SPDX-License-Identifier: MIT
// bench_metagrad: what exact per-example metagradients cost, relative to plain training.
//   build/bin/bench_metagrad [--quick] [--reps N] [--models tiny,gpt10m] [--budget-mb M]
//                            [--device cpu|cuda|cuda:N]
// For each model, T ∈ {8, 32, 96} and each schedule it prints t_plain (𝒜 alone), t_meta (𝒜 plus
// every τ), their ratio, the reverse-pass breakdown and peak RSS; every time is the median of N
// repetitions in this process. The last line is
//   RESULT ratio_T96=… ratio_T96_sqrt=… rss_ratio_T96_vs_T8=…
// for the largest model run: ratio_T96 is the fastest schedule that fits the default memory
// budget (Auto's choice), ratio_T96_sqrt the sqrt+graphs schedule, and the RSS ratio compares the
// sqrt+graphs schedule's peak RSS growth at T = 96 and T = 8.
#include "core/config/device.h"
#include "core/dpg/metagrad.h"
#include "core/model/transformer.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace dpg;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A "<key> <n> kB" line of a /proc file, in kB (0 when absent).
int64_t status_kb_file(const char* file, const char* key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::strlen(key)));
  return 0;
}
int64_t status_kb(const char* key) {
  return status_kb_file("/proc/self/status", key);
}
// Resets the kernel's peak-RSS mark (VmHWM) so each run's peak can be read on its own.
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// Waits for the device's queued work, so a host clock times it (nothing to wait for on the CPU).
void synchronize(const c10::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Model {
  std::string name;
  model::ModelConfig cfg;
  int64_t B, L;
};

model::ModelConfig gpt(int64_t d, int64_t layers, int64_t heads, int64_t ctx) {
  model::ModelConfig c;
  c.arch = model::Arch::Gpt2;
  c.vocab_size = 257;
  c.d_model = d;
  c.n_layer = layers;
  c.n_head = heads;
  c.n_kv_head = heads;
  c.d_ff = 4 * d;
  c.max_ctx = ctx;
  return c;
}

engine::InnerData data_for(int64_t n, int64_t L, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  engine::InnerData d;
  d.tokens = at::randint(32, 127, {n, L}, gen, torch::TensorOptions().dtype(torch::kLong));
  d.mask = torch::ones({n, L});
  return d;
}

// The bitmap objective on a 21×21 patch at token offset 33.
engine::PhiFn Phi_for(const model::ModelConfig& cfg, const c10::Device& device) {
  auto y = (torch::randint(0, 2, {21, 21}) * 2 - 1).to(device, torch::kFloat32);
  return [cfg, y](const model::TensorMap& pT, const model::TensorMap& p0) {
    auto P = model::lm_head_weight(cfg, pT).narrow(0, 33, 21).narrow(1, 0, 21).t();
    auto P0 = model::lm_head_weight(cfg, p0).narrow(0, 33, 21).narrow(1, 0, 21).t();
    return -torch::softplus(-20.0 * y * (P - P0)).mean();
  };
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  bool quick = false;
  std::string models = "tiny,gpt10m";
  int64_t budget_mb = 6144;
  std::string t_list, only;  // --schedules all,sqrt,...: run only these
  bool per_token = false;
  std::string device_spec = "cpu";
  double mem_fraction =
      0.6;  // skip a schedule whose estimate exceeds this fraction of MemAvailable
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a == "--reps" && i + 1 < argc)
      reps = std::atoi(argv[++i]);
    else if (a == "--models" && i + 1 < argc)
      models = argv[++i];
    else if (a == "--budget-mb" && i + 1 < argc)
      budget_mb = std::atoll(argv[++i]);
    else if (a == "--T" && i + 1 < argc)
      t_list = argv[++i];
    else if (a == "--schedules" && i + 1 < argc)
      only = "," + std::string(argv[++i]) + ",";
    else if (a == "--mem-fraction" && i + 1 < argc)
      mem_fraction = std::atof(argv[++i]);
    else if (a == "--per-token")
      per_token = true;  // τ_ij per predicted token (grpo.credit = token)
    else if (a == "--device" && i + 1 < argc)
      device_spec = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: bench_metagrad [--quick] [--reps N] [--models tiny,gpt10m] [--budget-mb "
                   "M] [--T 8,32,96]\n"
                   "                      [--schedules all,sqrt,all+graphs,sqrt+graphs,unroll] "
                   "[--mem-fraction 0.6] [--per-token]\n"
                   "                      [--device cpu|cuda|cuda:N]\n");
      return 2;
    }
  }
  c10::Device device(c10::kCPU);
  try {
    device = config::usable_device(device_spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_metagrad: %s\n", e.what());
    return 2;
  }
  torch::manual_seed(0);
  std::vector<Model> all = {{"tiny", gpt(32, 2, 2, 64), 8, 48},
                            {"gpt10m", gpt(384, 6, 6, 64), 2, 32}};
  std::vector<int64_t> Ts = quick ? std::vector<int64_t>{8, 32} : std::vector<int64_t>{8, 32, 96};
  if (!t_list.empty()) {
    Ts.clear();
    for (size_t b = 0; b < t_list.size();) {
      const size_t e = std::min(t_list.find(',', b), t_list.size());
      Ts.push_back(std::atoll(t_list.substr(b, e - b).c_str()));
      b = e + 1;
    }
  }
  const int64_t Tmax = *std::max_element(Ts.begin(), Ts.end());
  // "Where memory allows": a schedule whose estimate exceeds 60 % (--mem-fraction) of the memory
  // available now is skipped rather than run into swap or the OOM killer (the all schedules of the
  // 10 M GPT at T = 96 need ~16 GB).
  const int64_t avail = status_kb_file("/proc/meminfo", "MemAvailable:") << 10;
  std::printf("device %s, threads %d, reps %d, budget %ld MiB\n", device.str().c_str(),
              torch::get_num_threads(), reps, long(budget_mb));
  std::printf("%-7s %4s %-12s %9s %9s %6s %8s %8s %8s %9s %9s  %s\n", "model", "T", "schedule",
              "t_plain", "t_meta", "ratio", "fwd", "recomp", "dblbwd", "states_MB", "peakRSS_MB",
              "note");
  std::map<std::string, double> result;
  for (const auto& m : all) {
    if (models.find(m.name) == std::string::npos) continue;
    auto params0 = model::to_device(model::init_params(m.cfg, 1), device);
    auto Phi = Phi_for(m.cfg, device);
    for (int64_t T : Ts) {
      engine::InnerConfig ic;
      ic.T = T;
      ic.lr = 1e-3;
      engine::InnerTrainer tr(m.cfg, params0, ic, m.B);
      auto data = tr.to_device(data_for(T * m.B, m.L, 7 + uint64_t(T)));
      std::vector<double> plain;
      for (int r = 0; r < reps; ++r) {
        double t0 = now_s();
        tr.train(data);
        synchronize(device);
        plain.push_back(now_s() - t0);
      }
      const double tp = median(plain);
      auto [auto_choice, why] = engine::choose_schedule(tr, m.L, budget_mb << 20);
      for (auto s : {engine::Schedule::All, engine::Schedule::Sqrt, engine::Schedule::AllGraphs,
                     engine::Schedule::SqrtGraphs, engine::Schedule::Unroll}) {
        if (!only.empty() && only.find("," + engine::schedule_name(s) + ",") == std::string::npos)
          continue;
        const int64_t need = engine::estimate_memory(tr, m.L, s);
        if (s == engine::Schedule::Unroll && (need > (int64_t(budget_mb) << 20) || T > 32)) {
          std::printf("%-7s %4ld %-12s %9s (skipped: full unroll needs ~%ld MiB)\n", m.name.c_str(),
                      long(T), "unroll", "", long(need >> 20));
          continue;
        }
        if (avail > 0 && double(need) > mem_fraction * double(avail)) {
          std::printf("%-7s %4ld %-12s %9s (skipped: needs ~%ld MiB, %ld MiB available)\n",
                      m.name.c_str(), long(T), engine::schedule_name(s).c_str(), "",
                      long(need >> 20), long(avail >> 20));
          continue;
        }
        engine::MetagradOptions o;
        o.schedule = s;
        o.per_token = per_token;
        std::vector<double> tm, fwd, rec, dbl;
        int64_t states = 0, peak = 0;
        for (int r = 0; r < reps; ++r) {
          reset_peak_rss();
          const int64_t base = status_kb("VmRSS:");
          auto res = engine::metagrad(tr, data, Phi, o);
          peak = std::max(peak, status_kb("VmHWM:") - base);
          tm.push_back(res.timings.total_s);
          fwd.push_back(res.timings.forward_s);
          rec.push_back(res.timings.recompute_s);
          dbl.push_back(res.timings.double_backward_s);
          states = res.peak_stored_bytes;
        }
        const double ratio = median(tm) / tp;
        const bool fits = need <= (int64_t(budget_mb) << 20);
        std::printf("%-7s %4ld %-12s %9.3f %9.3f %6.2f %8.3f %8.3f %8.3f %9.1f %9.1f  %s%s\n",
                    m.name.c_str(), long(T), engine::schedule_name(s).c_str(), tp, median(tm),
                    ratio, median(fwd), median(rec), median(dbl), double(states) / 1048576.0,
                    double(peak) / 1024.0, fits ? "" : "over budget ",
                    s == auto_choice ? "<- auto" : "");
        std::fflush(stdout);
        const std::string key = m.name + "_T" + std::to_string(T) + "_" + engine::schedule_name(s);
        result[key] = ratio;
        result[key + "_rss"] = double(peak);
        result[key + "_states"] = double(states);
        if (s == auto_choice) result[m.name + "_T" + std::to_string(T) + "_auto"] = ratio;
      }
    }
  }
  // RESULT for the largest model that ran.
  std::string big = models.find("gpt10m") != std::string::npos ? "gpt10m" : "tiny";
  const std::string Tbig = std::to_string(Tmax);
  const double rss_hi = result[big + "_T" + Tbig + "_sqrt+graphs_rss"],
               rss_lo = result[big + "_T8_sqrt+graphs_rss"];
  // Peak RSS is read from VmHWM after a reset; glibc reuses freed memory, so a run that fits in
  // memory freed by the previous one shows little growth. The stored-state bytes are exact.
  const double st_hi = result[big + "_T" + Tbig + "_sqrt+graphs_states"],
               st_lo = result[big + "_T8_sqrt+graphs_states"];
  std::printf(
      "RESULT ratio_T%s=%.2f ratio_T%s_sqrt=%.2f rss_ratio_T%s_vs_T8=%s "
      "state_ratio_T%s_vs_T8=%.2f\n",
      Tbig.c_str(), result[big + "_T" + Tbig + "_auto"], Tbig.c_str(),
      result[big + "_T" + Tbig + "_sqrt+graphs"], Tbig.c_str(),
      rss_lo > 0 ? std::to_string(rss_hi / rss_lo).c_str() : "n/a", Tbig.c_str(),
      st_lo > 0 ? st_hi / st_lo : 0.0);
  return 0;
}
