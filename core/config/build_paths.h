// SPDX-License-Identifier: MIT
#pragma once
/// @file Paths fixed when the project is configured: the checkout and build tree a binary was built
/// from (the fallbacks that let an uninstalled build find its resources, .venv and plugins) and the
/// install prefix's data and plugin folders. They are compiled into one small translation unit
/// (build_paths.cpp) that includes neither LibTorch nor the precompiled header, so it is the only
/// object that differs between two clones: everything else hits the ccache in a fresh clone. Plain
/// C++.

namespace dpg::config {

/// The checkout (CMake's PROJECT_SOURCE_DIR).
const char* source_dir();
/// Where this build tree puts the objective plugins.
const char* build_plugin_dir();
/// <prefix>/share/dpg-workbench.
const char* install_data_dir();
/// <prefix>/lib/dpg-workbench/plugins/objectives.
const char* install_plugin_dir();

}  // namespace dpg::config
