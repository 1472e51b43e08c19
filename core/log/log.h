// SPDX-License-Identifier: MIT
#pragma once
/// @file Logging facade over spdlog.
///
/// Why a facade: LibTorch ships fmt 12 headers on its include path, while Debian's compiled spdlog
/// needs its own fmt 9. A translation unit cannot see both, so only core/log/log.cpp includes
/// spdlog, and everything that includes LibTorch logs through these functions.
#include <string>

namespace dpg::log {

enum class Level { Debug, Info, Warn, Error };

void set_level(Level level);
void debug(const std::string& message);
void info(const std::string& message);
void warn(const std::string& message);
void error(const std::string& message);

/// A named moment in a run's work ("step 3: update"), logged at debug level (`dpg -v`), so a
/// crash test can tell where a kill landed. @p window marks a moment inside a short write (a
/// transaction before its COMMIT, a checkpoint's temporary file before its rename): when
/// $DPG_WINDOW_MS is set, such a moment waits that many milliseconds, which widens the window a
/// crash test aims at (scripts/kill-test.sh) and changes nothing else.
void stage(const std::string& name, bool window = false);

}  // namespace dpg::log
