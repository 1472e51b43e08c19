// SPDX-License-Identifier: MIT
#pragma once
/// @file Which objective kinds the bitmap designer edits: the plugins whose objective.json declares
/// "designer": "bitmap" (core/plugin/plugin_registry.h, PluginInfo::designer). Read from the
/// plugins' metadata alone, on the GUI thread; no kind is named in the GUI.
#include <string>

namespace dpg::ui {

/// Whether the bitmap designer edits the parameters of objectives of @p kind.
bool designerEdits(const std::string& kind);
/// The kind "Use in run" gives the designed bitmap: @p current when the designer edits it,
/// otherwise the first plugin that declares the bitmap designer (empty when none does).
std::string designerKind(const std::string& current);

}  // namespace dpg::ui
