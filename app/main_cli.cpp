// SPDX-License-Identifier: MIT
// dpg: the headless DPG Workbench CLI.
//   dpg models inspect FILE
//   dpg generate --model FILE --prompt TEXT [--chat] [--max-new N] [--temperature X] [--seed S]
//   dpg tokenize --model FILE [--decode] < lines
//   dpg pretrain --role generator|target --out DIR
//   dpg attribute --model DIR --data FILE.jsonl --objective KIND [...]
//   dpg run --preset 67-tiny [--config FILE] [--set key=value ...] [--db PATH]
//   dpg resume ID | dpg runs list | dpg runs show ID | dpg export ID --png DIR --csv FILE
//   dpg eval ID [--step S] [--set validation.KEY=VALUE ...]
// Any error ends the program with exit code 1 and one line "dpg: error: ..." on stderr.
#include "app/cli/commands.h"
#include "app/cli/ranks.h"

#include "core/config/version.h"
#include "core/dpg/collective.h"
#include "core/log/log.h"

#include <exception>
#include <iostream>
#include <string>

namespace {

/// Prints "dpg: error: WHAT" as one line (a message's own line breaks become spaces); returns 1.
int error_line(std::string what) {
  for (char& c : what)
    if (c == '\n' || c == '\r') c = ' ';
  std::cerr << "dpg: error: " << what << "\n";
  return 1;
}

bool known_command(CLI::App& app, const std::string& name) {
  for (const auto* sub : app.get_subcommands({}))
    if (sub->check_name(name)) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"dpg: DPG Workbench, headless"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dpg ") + dpg::config::version());
  app.add_flag_callback(
      "-v,--verbose", [] { dpg::log::set_level(dpg::log::Level::Debug); },
      "Debug logging (with `dpg run`: each step's stages)");
  dpg::cli::add_models_commands(app);
  dpg::cli::add_pretrain_command(app);
  dpg::cli::add_attribute_command(app);
  dpg::cli::add_run_commands(app);
  dpg::cli::add_runs_commands(app);
  dpg::cli::add_eval_command(app);
  try {
    if (argc > 1 && argv[1][0] != '-' && !known_command(app, argv[1]))
      return error_line(std::string("unknown command '") + argv[1] +
                        "' (`dpg --help` lists the commands)");
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end the parse with exit code 0; CLI11 prints them.
    if (e.get_exit_code() == 0) return app.exit(e);
    return error_line(e.what());
  } catch (const dpg::engine::CollectiveFailure& e) {
    // A local rank whose peer died: the launcher names the rank that caused it, in one line.
    if (dpg::cli::launched_rank()) return dpg::cli::kLostRankExit;
    return error_line(e.what());
  } catch (const dpg::cli::RankReported&) {
    return 1;  // the rank printed its own error line
  } catch (const std::exception& e) {
    return error_line(e.what());
  }
  return 0;
}
