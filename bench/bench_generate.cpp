// SPDX-License-Identifier: MIT
// Generation throughput of SmolLM2-135M (batch 16 x 128 new tokens, float32, KV cache) next to HF
// transformers generate() on the same machine, thread count, inputs and sampling settings.
//   bench_generate [--model GGUF] [--batch 16] [--new 128] [--threads N] [--repeats 3] [--no-hf]
// Runs of ours and HF's alternate, so both see the same machine load; the best of each counts.
// Last line: RESULT ours_tok_s=... hf_tok_s=... ratio=...
#include "core/config/build_paths.h"
#include "core/model/chat_template.h"
#include "core/model/generate.h"
#include "core/model/model_io.h"
#include "core/resources/resources.h"

#include <torch/torch.h>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

using namespace dpg::model;

namespace {

const char* kPassages[] = {
    "The old lighthouse stood at the edge of the cliff, its lamp dark for decades.",
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen.",
    "The committee postponed its decision until more data could be collected.",
    "Rain fell all night, and by morning the river had burst its banks.",
    "A good recipe lists its ingredients in the order they are used.",
    "The treaty ended the war but left many borders in dispute.",
    "Most stars in the night sky are larger and brighter than the Sun.",
    "She learned to code by rewriting small programs she found online.",
    "The museum reopened after a year of careful restoration work.",
    "Bees communicate the location of flowers through a dance.",
    "The train was late again, so the meeting started without him.",
    "Compound interest makes small savings grow surprisingly large over time.",
    "The village market sells bread, cheese and vegetables every Saturday.",
    "Glaciers carve valleys slowly, moving only a few metres each year.",
    "He apologised for the mistake and offered to fix it himself.",
    "The library lends not only books but also tools and musical instruments.",
};

std::string find_smollm2() {
  try {
    return dpg::resources::smollm2_gguf_path();
  } catch (const std::exception&) {
    return {};
  }
}

// One line from the child's stdout ("" when it ended first). Generation can take minutes.
std::string read_line(QProcess& p) {
  while (!p.canReadLine()) {
    if (p.state() == QProcess::NotRunning && !p.canReadLine()) return {};
    p.waitForReadyRead(1000);
  }
  return QString::fromUtf8(p.readLine()).trimmed().toStdString();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path;
  int64_t batch = 16, n_new = 128, repeats = 3;
  int threads = 0;
  bool run_hf = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--model")
      model_path = next();
    else if (a == "--batch")
      batch = std::stoll(next());
    else if (a == "--new")
      n_new = std::stoll(next());
    else if (a == "--threads")
      threads = std::stoi(next());
    else if (a == "--repeats")
      repeats = std::stoll(next());
    else if (a == "--no-hf")
      run_hf = false;
    else {
      std::cerr << "usage: bench_generate [--model GGUF] [--batch N] [--new N] [--threads N] "
                   "[--repeats N] [--no-hf]\n";
      return 2;
    }
  }
  if (model_path.empty()) model_path = find_smollm2();
  if (model_path.empty()) {
    std::cerr << "bench_generate: SmolLM2 GGUF not found: run scripts/setup.sh\n";
    return 1;
  }
  if (threads > 0) torch::set_num_threads(threads);
  threads = torch::get_num_threads();
  const auto m = load_model(model_path);
  std::vector<std::vector<int64_t>> prompts;
  for (int64_t r = 0; r < batch; ++r) {
    const std::string text = kPassages[r % 16];
    prompts.push_back(
        m.tokenizer->encode(chat_prompt("Rephrase the following passage: " + text), true));
  }
  GenerateOptions o;
  o.max_new_tokens = n_new;
  o.temperature = 0.7;
  o.top_p = 0.9;
  o.stop_at_eos = false;  // exactly batch x n_new tokens, like HF with min_new_tokens
  {
    GenerateOptions warm = o;
    warm.max_new_tokens = 4;
    generate(m.config, m.params, *m.tokenizer, prompts, warm);
  }

  // HF in a persistent child process: load and warm up once, then alternate one run of ours with
  // one of HF's, so that both see the same (shared, noisy) machine load; the best run counts.
  QTemporaryDir dir;
  QProcess py;
  if (run_hf) {
    int64_t P = 0;
    for (const auto& p : prompts) P = std::max<int64_t>(P, int64_t(p.size()));
    const int64_t pad = m.tokenizer->pad_id();
    nlohmann::json ids = nlohmann::json::array(), mask = nlohmann::json::array();
    for (const auto& p : prompts) {  // the same left-padded ids: both sides do the same work
      const size_t n_pad = size_t(P - int64_t(p.size()));
      std::vector<int64_t> row(n_pad, pad), mrow(n_pad, 0);
      row.insert(row.end(), p.begin(), p.end());
      mrow.insert(mrow.end(), p.size(), 1);
      ids.push_back(row);
      mask.push_back(mrow);
    }
    const std::string spec_path = (dir.path() + QStringLiteral("/spec.json")).toStdString();
    std::ofstream(spec_path) << nlohmann::json{{"input_ids", ids},
                                               {"attention_mask", mask},
                                               {"max_new_tokens", n_new},
                                               {"temperature", o.temperature},
                                               {"top_p", o.top_p},
                                               {"pad_id", pad}}
                                    .dump();
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TQDM_DISABLE"), QStringLiteral("1"));
    env.insert(QStringLiteral("TRANSFORMERS_VERBOSITY"), QStringLiteral("error"));
    py.setProcessEnvironment(env);
    py.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const QString src = QString::fromUtf8(dpg::config::source_dir());
    py.start(src + QStringLiteral("/.venv/bin/python"),
             {src + QStringLiteral("/tests/reference/bench_hf_generate.py"),
              QString::fromStdString(model_path), QString::fromStdString(spec_path),
              QString::number(threads)});
    if (!py.waitForStarted() || read_line(py) != "ready") {
      std::cerr << "bench_generate: the HF side did not start (run scripts/setup.sh?)\n";
      return 1;
    }
  }
  double best = 1e30, best_hf = 1e30;
  int64_t tokens = 0, hf_tokens = 0;
  std::string attn;
  for (int64_t r = 0; r < repeats; ++r) {
    o.seed = uint64_t(r);
    const auto res = generate(m.config, m.params, *m.tokenizer, prompts, o);
    best = std::min(best, res.seconds);
    tokens = res.new_tokens;
    std::printf("ours: run %lld: %lld tokens in %.3f s (%.1f tok/s)\n", (long long)r,
                (long long)tokens, res.seconds, double(tokens) / res.seconds);
    if (r == 0) std::printf("ours: sample: %s\n", res.texts[0].substr(0, 120).c_str());
    std::fflush(stdout);
    if (!run_hf) continue;
    py.write(("run " + std::to_string(r) + "\n").c_str());
    const std::string line = read_line(py);
    if (line.empty() || line[0] != '{') {
      std::cerr << "bench_generate: HF run failed\n";
      return 1;
    }
    const auto j = nlohmann::json::parse(line);
    best_hf = std::min(best_hf, j["seconds"].get<double>());
    hf_tokens = j["tokens"].get<int64_t>();
    attn = j["attn"].get<std::string>();
    std::printf("hf:   run %lld: %lld tokens in %.3f s (%.1f tok/s)\n", (long long)r,
                (long long)hf_tokens, j["seconds"].get<double>(), j["tok_s"].get<double>());
    std::fflush(stdout);
  }
  if (run_hf) {
    py.write("quit\n");
    py.closeWriteChannel();
    py.waitForFinished(60000);
  }
  const double ours = double(tokens) / best, hf = run_hf ? double(hf_tokens) / best_hf : 0.0;
  std::printf("ours: %.1f tok/s (best of %lld, batch %lld x %lld new, %d threads, float32)\n", ours,
              (long long)repeats, (long long)batch, (long long)n_new, threads);
  if (run_hf) {
    std::printf("hf:   %.1f tok/s (best of %lld, transformers generate, attn %s, %d threads)\n", hf,
                (long long)repeats, attn.c_str(), threads);
  }
  std::printf("RESULT ours_tok_s=%.1f hf_tok_s=%.1f ratio=%.2f\n", ours, hf,
              hf > 0 ? ours / hf : 0.0);
  return 0;
}
