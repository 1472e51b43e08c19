// SPDX-License-Identifier: MIT
#pragma once
/// @file The dpg CLI's subcommands. Each add_* registers its subcommands and their handlers.
#include <CLI/CLI.hpp>

namespace dpg::cli {

void add_models_commands(CLI::App& app);    ///< models inspect, generate, tokenize
void add_pretrain_command(CLI::App& app);   ///< pretrain
void add_attribute_command(CLI::App& app);  ///< attribute
void add_run_commands(CLI::App& app);       ///< run, resume
void add_runs_commands(CLI::App& app);      ///< runs list/show, export
void add_eval_command(CLI::App& app);       ///< eval (re-validate a stored checkpoint)

}  // namespace dpg::cli
