#pragma once
// The `verify` subcommand of tally-audit (contract section 5, docs/audit.md): checks an audit
// bundle and prints one line per check (or, with --json, one JSON object).

#include <CLI/App.hpp>
#include <functional>

#include "tally/audit/verify/report.hpp"

namespace tallystation::audit {

// Adds `verify` to `app`; its callback stores the exit code in `exit_code`: 0 every check holds,
// 1 a check failed, 2 unreadable input.
void add_verify_command(CLI::App& app, int& exit_code);

// Runs `check` and prints its report (text, or one JSON object with `as_json`) on stdout; the
// exit code: 0 every check holds, 1 one failed, 2 the input could not be read (the reason on
// stderr, after "tally-audit SUBCOMMAND: "; `input` names what was read, e.g. "the bundle"). Shared
// by `verify` and `receipt`.
int print_report(const char* subcommand, const char* input, bool as_json,
                 const std::function<verify::Report()>& check);

}  // namespace tallystation::audit
