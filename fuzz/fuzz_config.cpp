// SPDX-License-Identifier: MIT
// Fuzz target: RunConfig (core/config/run_config.h). The input is a run config's JSON, then, after
// a NUL, one `--set key=value` assignment a line; the config is read (RunConfig::from_json), each
// assignment applied (apply_override), the result validated and written back. Refusals must be
// ConfigError.
#include "core/config/run_config.h"
#include "core/model/errors.h"
#include "fuzz/fuzz_target.h"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using dpg::fuzz::part;
  const std::string input = dpg::fuzz::as_text(data, size);
  const auto j = nlohmann::json::parse(part(input, 0), nullptr, false);
  if (j.is_discarded()) return 0;  // not JSON: load_run_config refuses it before RunConfig sees it
  try {
    auto config = dpg::config::RunConfig::from_json(j);
    std::istringstream sets{std::string(part(input, 1))};
    for (std::string line; std::getline(sets, line);) config.apply_override(line);
    config.validate();
    const auto back = dpg::config::RunConfig::from_json(config.to_json());
    if (!(back == config)) {
      std::fprintf(stderr, "a validated config does not read back as itself\n");
      std::abort();
    }
  } catch (const dpg::model::ConfigError& e) {
    dpg::fuzz::expect_one_line(e.what());
  } catch (const std::exception& e) {
    dpg::fuzz::undocumented(e);
  }
  return 0;
}
