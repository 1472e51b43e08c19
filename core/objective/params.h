// SPDX-License-Identifier: MIT
#pragma once
/// @file Declared objective parameters: one table per objective gives the plugin's parameters()
/// description and checks what create() receives (unknown keys, types, choices), so that every
/// error names the objective, the parameter and the reason.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dpg::objective {

/// One parameter of an objective.
struct ParamSpec {
  std::string name;
  std::string type;  ///< "string" | "int" | "number" | "bool" | "string[]" | "int[][]"
  nlohmann::json default_value;
  std::string doc;
  std::vector<std::string> choices = {};  ///< allowed values of a string parameter
};

/// The JSON description a plugin's parameters() returns:
/// {"<name>": {"type": ..., "default": ..., "doc": ..., "choices": [...]}, ...}.
nlohmann::json describe(const std::vector<ParamSpec>& specs);

/// Checks @p params against @p specs and returns them with defaults filled in. Throws
/// std::invalid_argument "<objective>: <parameter>: <reason>" on an unknown key, a wrong type or a
/// value outside the choices; @p params must be a JSON object (null counts as empty).
nlohmann::json checked_params(const std::string& objective, const std::vector<ParamSpec>& specs,
                              const nlohmann::json& params);

/// Throws std::invalid_argument "<objective>: <parameter>: <reason>".
[[noreturn]] void param_error(const std::string& objective, const std::string& parameter,
                              const std::string& reason);

}  // namespace dpg::objective
