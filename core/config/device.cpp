// SPDX-License-Identifier: MIT
#include "core/config/device.h"

#include "core/config/checks.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cctype>

namespace dpg::config {
namespace {

constexpr const char* kField = "run.device";
int g_default_gpu = 0;  // set once by a data-parallel rank, before any run (set_default_gpu)

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 4) return false;
  for (unsigned char ch : s)
    if (!std::isdigit(ch)) return false;
  return true;
}

}  // namespace

c10::Device parse_device(const std::string& spec) {
  if (spec == "cpu") return c10::Device(c10::kCPU);
  if (spec == "cuda") return c10::Device(c10::kCUDA, c10::DeviceIndex(g_default_gpu));
  const std::string prefix = "cuda:";
  if (spec.rfind(prefix, 0) == 0 && all_digits(spec.substr(prefix.size())))
    return c10::Device(c10::kCUDA, c10::DeviceIndex(std::stoi(spec.substr(prefix.size()))));
  check::fail(kField, "must be cpu, cuda or cuda:N with N a GPU index (got '" + spec + "')");
}

void set_default_gpu(int index) {
  g_default_gpu = std::max(0, index);
}

c10::Device usable_device(const std::string& spec) {
  const c10::Device d = parse_device(spec);
  if (d.is_cpu()) return d;
  if (!torch::cuda::is_available()) {
    const auto& hooks = at::detail::getCUDAHooks();  // a CPU LibTorch has the stub, false to both
    if (!hooks.isBuilt() && !hooks.hasCUDART())
      check::fail(kField, spec +
                              " asked for, but this LibTorch was built without CUDA (use cpu, or "
                              "build against a CUDA LibTorch: docs/scaling.md)");
    check::fail(kField,
                spec + " asked for, but no CUDA GPU is visible (driver, CUDA_VISIBLE_DEVICES)");
  }
  const int64_t count = torch::cuda::device_count();
  const std::string asked =
      spec == "cuda" && d.index() > 0
          ? "cuda (GPU " + std::to_string(d.index()) + ", this rank's LOCAL_RANK)"
          : spec;
  if (d.index() >= count)
    check::fail(kField,
                asked + " asked for, but " + std::to_string(count) +
                    " CUDA GPU(s) are visible (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
  return d;
}

}  // namespace dpg::config
