#pragma once
// The `recount` subcommand of tally-audit (contract section 5): registration with CLI11 and the
// code that runs it. Each subcommand of tally-audit lives in its own pair of files like this one
// and is wired in tally_audit_main.cpp.

#include <CLI/App.hpp>

namespace tallystation::audit {

// Adds `recount` to `app`; when it is chosen and parsed, its callback runs the recount and
// stores the process exit code in `exit_code` (0 ok, 2 bad input).
void add_recount_command(CLI::App& app, int& exit_code);

}  // namespace tallystation::audit
