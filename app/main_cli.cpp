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

#include "core/config/version.h"
#include "core/log/log.h"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"dpg: DPG Workbench, headless"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dpg ") + dpg::config::version());
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Debug logging");
  dpg::cli::add_models_commands(app);
  dpg::cli::add_pretrain_command(app);
  dpg::cli::add_attribute_command(app);
  dpg::cli::add_run_commands(app);
  dpg::cli::add_runs_commands(app);
  dpg::cli::add_eval_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "dpg: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
