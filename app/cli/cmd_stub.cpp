// SPDX-License-Identifier: MIT
// TEMPORARY: subcommands not written yet register nothing.
#include "app/cli/commands.h"
namespace dpg::cli {
void add_models_commands(CLI::App&) {}
void add_pretrain_command(CLI::App&) {}
void add_attribute_command(CLI::App&) {}
}  // namespace dpg::cli
