// SPDX-License-Identifier: MIT
// bench_distributed: what data parallelism buys for one DPG step at a fixed total batch.
//   build/bin/bench_distributed [--preset 67-tiny] [--steps K] [--set key=value ...]
// Runs K DPG steps of the preset on 1 process, then on 2 ranks (this program started twice more,
// loopback Gloo), each with one intra-op thread, and prints per world size the median time per
// step (steps 2..K), what the ranks all-reduce per step (bytes and seconds, measured around every
// collective of rank 0), and the efficiency t1 / (N · tN). Validation and checkpoints are off: the
// figure is the step itself. The last line is
//   RESULT world1_s=… world2_s=… efficiency2=… bytes_per_step=… comm_s_per_step=…
// On a machine with fewer than 2 free cores the ranks share a core and the efficiency says so.
#include "core/config/presets.h"
#include "core/dist/c10d_collective.h"
#include "core/plugin/plugin_registry.h"
#include "core/session/run_session.h"

#include <sys/wait.h>
#include <unistd.h>

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace dpg;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A collective that counts what passes through it: bytes summed over the ranks' buffers of this
// rank, and the time spent waiting in the all-reduce.
class Counting : public engine::Collective {
 public:
  explicit Counting(engine::Collective& inner) : inner_(inner) {}
  int rank() const override { return inner_.rank(); }
  int world() const override { return inner_.world(); }
  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    for (const auto& t : tensors) bytes += double(t.numel()) * double(t.element_size());
    const auto t0 = Clock::now();
    inner_.all_reduce_sum(tensors);
    seconds += seconds_since(t0);
  }
  double bytes = 0, seconds = 0;

 private:
  engine::Collective& inner_;
};

struct Options {
  std::string preset = "67-tiny";
  int64_t steps = 6;
  std::vector<std::string> sets;
  int rank = -1, world = 1;
  std::string store, out;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--preset")
      o.preset = next();
    else if (a == "--steps")
      o.steps = std::stoll(next());
    else if (a == "--set")
      o.sets.push_back(next());
    else if (a == "--rank")
      o.rank = std::stoi(next());
    else if (a == "--world")
      o.world = std::stoi(next());
    else if (a == "--store")
      o.store = next();
    else if (a == "--out")
      o.out = next();
    else
      throw std::invalid_argument("unknown argument " + a);
  }
  if (o.steps < 2) throw std::invalid_argument("--steps must be at least 2 (step 1 warms up)");
  return o;
}

// One rank: K steps; rank 0 writes "median_step_s bytes_per_step comm_s_per_step" to o.out.
int rank_main(const Options& o) {
  torch::set_num_threads(1);
  auto cfg = config::load_preset(o.preset);
  for (const auto& kv : o.sets) cfg.apply_override(kv);
  cfg.grpo.steps = o.steps;
  cfg.validation.every = 0;
  cfg.checkpoint_every = 0;
  cfg.validate();
  plugin::PluginRegistry plugins;
  engine::DpgRun run(session::make_run_inputs(cfg, plugins));
  std::unique_ptr<dist::C10dCollective> gloo;
  std::unique_ptr<Counting> counting;
  if (o.world > 1) {
    dist::Rendezvous rv;
    rv.rank = o.rank;
    rv.world = o.world;
    rv.file = o.store;
    gloo = std::make_unique<dist::C10dCollective>(rv);
    counting = std::make_unique<Counting>(*gloo);
    run.set_collective(counting.get());
    run.share_state();
  }
  std::vector<double> times;
  double bytes0 = 0, comm0 = 0;
  for (int64_t s = 1; s <= o.steps; ++s) {
    if (s == 2 && counting) bytes0 = counting->bytes, comm0 = counting->seconds;
    const auto t0 = Clock::now();
    run.step();
    if (s >= 2) times.push_back(seconds_since(t0));
  }
  if (o.rank > 0) return 0;
  std::sort(times.begin(), times.end());
  const double n = double(times.size());
  std::ofstream(o.out) << times[times.size() / 2] << " "
                       << (counting ? (counting->bytes - bytes0) / n : 0.0) << " "
                       << (counting ? (counting->seconds - comm0) / n : 0.0) << "\n";
  return 0;
}

struct Measured {
  double step_s = 0, bytes = 0, comm_s = 0;
};

// Starts @p world ranks of this program and reads rank 0's figures.
Measured measure(const Options& o, int world, const std::filesystem::path& dir) {
  const auto out = dir / ("world" + std::to_string(world) + ".txt");
  const auto store = dir / ("store" + std::to_string(world));
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    std::vector<std::string> args{"/proc/self/exe",
                                  "--preset",
                                  o.preset,
                                  "--steps",
                                  std::to_string(o.steps),
                                  "--rank",
                                  std::to_string(r),
                                  "--world",
                                  std::to_string(world),
                                  "--store",
                                  store.string(),
                                  "--out",
                                  out.string()};
    for (const auto& kv : o.sets) args.insert(args.end(), {"--set", kv});
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv("/proc/self/exe", argv.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error("a rank of the " + std::to_string(world) + "-rank run failed");
  }
  Measured m;
  std::ifstream(out) >> m.step_s >> m.bytes >> m.comm_s;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    if (o.rank >= 0) return rank_main(o);
    const auto dir =
        std::filesystem::temp_directory_path() / ("bench-distributed-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::printf("bench_distributed: %s, %lld steps (median of steps 2..%lld), 1 thread per rank\n",
                o.preset.c_str(), static_cast<long long>(o.steps), static_cast<long long>(o.steps));
    const Measured one = measure(o, 1, dir);
    const Measured two = measure(o, 2, dir);
    std::filesystem::remove_all(dir);
    const double efficiency = one.step_s / (2.0 * two.step_s);
    std::printf("%-8s %12s %14s %14s %11s\n", "ranks", "s/step", "MB reduced", "comm s/step",
                "efficiency");
    std::printf("%-8d %12.3f %14s %14s %11s\n", 1, one.step_s, "-", "-", "1.00");
    std::printf("%-8d %12.3f %14.2f %14.3f %11.2f\n", 2, two.step_s, two.bytes / 1e6, two.comm_s,
                efficiency);
    std::printf(
        "RESULT world1_s=%.4f world2_s=%.4f efficiency2=%.3f bytes_per_step=%.0f "
        "comm_s_per_step=%.4f\n",
        one.step_s, two.step_s, efficiency, two.bytes, two.comm_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_distributed: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
