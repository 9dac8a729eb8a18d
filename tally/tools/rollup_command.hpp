#pragma once
// The `rollup` subcommand of tally-audit (docs/audit.md "The season report"): verifies a folder
// of audit bundles against a roster of the units expected to hold a congress and writes the
// season report (report.json, report.csv) into a folder.

#include <CLI/App.hpp>

namespace tallystation::audit {

// Adds `rollup` to `app`; its callback stores the exit code in `exit_code`: 0 the report is
// written (whatever the bundles' verdicts: the report lists them), 2 the roster or the bundles
// folder cannot be used, or the report cannot be written (the reason on stderr).
void add_rollup_command(CLI::App& app, int& exit_code);

}  // namespace tallystation::audit
