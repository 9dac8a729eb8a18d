#pragma once
// The `verify` subcommand of tally-audit (contract section 5, docs/audit.md): checks an audit
// bundle and prints one line per check (or, with --json, one JSON object).

#include <CLI/App.hpp>

namespace tallystation::audit {

// Adds `verify` to `app`; its callback stores the exit code in `exit_code`: 0 every check holds,
// 1 a check failed, 2 unreadable input.
void add_verify_command(CLI::App& app, int& exit_code);

}  // namespace tallystation::audit
