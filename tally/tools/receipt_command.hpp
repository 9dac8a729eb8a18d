#pragma once
// The `receipt` subcommand of tally-audit (docs/audit.md "Checking a receipt"): a delegate's
// check that a receipt is signed by the station and that its ballot is in the published box.

#include <CLI/App.hpp>

namespace tallystation::audit {

// Adds `receipt`; exit code 0 the receipt holds, 1 it does not, 2 unreadable input.
void add_receipt_command(CLI::App& app, int& exit_code);

}  // namespace tallystation::audit
