// SPDX-License-Identifier: MIT
// TEMPORARY: subcommands not written yet register nothing. (add_models_commands: cmd_models.cpp)
#include "app/cli/commands.h"
namespace dpg::cli {}  // namespace dpg::cli
