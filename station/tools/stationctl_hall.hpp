#pragma once
// stationctl's hall subcommands (docs/hall.md): `display` serves the hall display and `console`
// the officials' console, both on 127.0.0.1, following the station over stationctl's pinned link.
// Registered by stationctl's main through the same helper as its other subcommands, so they share
// the link options, the signer's options, their environment variables and the error reporting.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "station/ctl/station_link.hpp"

namespace tallystation::station::ctl {

struct Signer {
  std::string key_file;  // --key / TALLY_KEY
  std::string official;  // --official / TALLY_OFFICIAL
};
// What a hall subcommand does once parsed; throws CtlError on failure (the main reports it).
using HallAction = std::function<void(const LinkOptions& link, const Signer& signer)>;
// Adds a subcommand that talks to the station (with the signer's options when `signs`).
using AddHallSubcommand = std::function<CLI::App*(const std::string& name, const std::string& help,
                                                  bool signs, HallAction action)>;

void add_hall_subcommands(const AddHallSubcommand& add);

}  // namespace tallystation::station::ctl
