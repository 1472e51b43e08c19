// SPDX-License-Identifier: MIT
#include "core/objective/params.h"

#include <stdexcept>

namespace dpg::objective {
namespace {

bool has_type(const nlohmann::json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "int") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "bool") return v.is_boolean();
  if (type == "string[]") {
    if (!v.is_array()) return false;
    for (const auto& e : v)
      if (!e.is_string()) return false;
    return true;
  }
  if (type == "int[][]" || type == "number[][]") {
    const bool integers = type == "int[][]";
    if (!v.is_array()) return false;
    for (const auto& row : v) {
      if (!row.is_array()) return false;
      for (const auto& e : row)
        if (integers ? !e.is_number_integer() : !e.is_number()) return false;
    }
    return true;
  }
  return true;
}

std::string describe_type(const std::string& type) {
  if (type == "string[]") return "an array of strings";
  if (type == "int[][]") return "an array of arrays of integers";
  if (type == "number[][]") return "an array of arrays of numbers";
  if (type == "int") return "an integer";
  if (type == "number") return "a number";
  if (type == "bool") return "true or false";
  return "a " + type;
}

}  // namespace

void param_error(const std::string& objective, const std::string& parameter,
                 const std::string& reason) {
  throw std::invalid_argument(objective + ": " + parameter + ": " + reason);
}

nlohmann::json describe(const std::vector<ParamSpec>& specs) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : specs) {
    nlohmann::json d = {{"type", s.type}, {"default", s.default_value}, {"doc", s.doc}};
    if (!s.choices.empty()) d["choices"] = s.choices;
    out[s.name] = d;
  }
  return out;
}

nlohmann::json checked_params(const std::string& objective, const std::vector<ParamSpec>& specs,
                              const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object())
    throw std::invalid_argument(objective + ": parameters must be a JSON object, got " +
                                params.dump());
  nlohmann::json out = nlohmann::json::object();
  for (const auto& s : specs) out[s.name] = s.default_value;
  if (params.is_null()) return out;
  for (const auto& [key, value] : params.items()) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == key) spec = &s;
    if (!spec) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      param_error(objective, key, "unknown parameter (known: " + known + ")");
    }
    if (!has_type(value, spec->type))
      param_error(objective, key,
                  "expected " + describe_type(spec->type) + ", got " + value.dump());
    if (!spec->choices.empty()) {
      bool ok = false;
      std::string list;
      for (const auto& c : spec->choices) {
        ok = ok || value.get<std::string>() == c;
        list += (list.empty() ? "" : ", ") + c;
      }
      if (!ok)
        param_error(objective, key,
                    "must be one of " + list + " (got '" + value.get<std::string>() + "')");
    }
    out[key] = value;
  }
  return out;
}

}  // namespace dpg::objective
