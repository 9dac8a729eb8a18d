// tally-audit: the independent auditor's tool (contract section 5). Thin: each subcommand
// registers itself; exit 2 for bad input or usage.

#include <CLI/CLI.hpp>

#include "tally/tools/receipt_command.hpp"
#include "tally/tools/recount_command.hpp"
#include "tally/tools/rollup_command.hpp"
#include "tally/tools/verify_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tally-audit: recount and verify tallystation results"};
  app.require_subcommand(1);
  int exit_code = 0;
  tallystation::audit::add_recount_command(app, exit_code);
  tallystation::audit::add_verify_command(app, exit_code);
  tallystation::audit::add_receipt_command(app, exit_code);
  tallystation::audit::add_rollup_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
