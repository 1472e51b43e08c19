// SPDX-License-Identifier: MIT
#pragma once
/// @file The build's version: `git describe` of the checkout when it was built (e.g.
/// "0.1.0+233.g08d97a2"), or the project's version for a build outside git
/// (packaging/git_version.cmake). `dpg --version`, the GUI's About box and every stored run
/// (RunInfo::app_version) show it. It is compiled into one generated translation unit, so a new
/// commit recompiles that unit alone. Plain C++.

namespace dpg::config {

/// The version string, e.g. "0.1.0+233.g08d97a2".
const char* version();

}  // namespace dpg::config
