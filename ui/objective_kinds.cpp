// SPDX-License-Identifier: MIT
#include "ui/objective_kinds.h"

#include "core/plugin/plugin_registry.h"

#include <algorithm>

namespace dpg::ui {
namespace {

/// The bitmap designer's kinds, from the GUI thread's registry (metadata only: no plugin loaded).
const std::vector<std::string>& bitmapKinds() {
  static const std::vector<std::string> kinds =
      plugin::PluginRegistry().kinds_with_designer("bitmap");
  return kinds;
}

}  // namespace

bool designerEdits(const std::string& kind) {
  const auto& kinds = bitmapKinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string designerKind(const std::string& current) {
  if (designerEdits(current)) return current;
  return bitmapKinds().empty() ? std::string() : bitmapKinds().front();
}

}  // namespace dpg::ui
