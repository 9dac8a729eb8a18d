#pragma once
// stationctl's printing subcommands, registered by stationctl's main through the same helper as
// its other subcommands (so they share the link options, their environment variables, --json and
// the error reporting): `print-minutes` (a round's minutes as PDF, with the committee's signature
// lines) and `print-slips` (ballot-token slips as PDF). The documents: station/print/print.hpp;
// when to print what: docs/operations.md "Printing".
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "station/ctl/station_link.hpp"

namespace tallystation::station::ctl {

// What a printing subcommand does once parsed: gets the link options and --json as parsed, throws
// CtlError on failure (the main reports it and exits non-zero).
using LinkAction = std::function<void(const LinkOptions& link, bool as_json)>;
// Adds a subcommand that talks to the station and returns it, for its own options.
using AddLinkSubcommand =
    std::function<CLI::App*(const std::string& name, const std::string& help, LinkAction action)>;

void add_print_subcommands(const AddLinkSubcommand& add);

}  // namespace tallystation::station::ctl
