#pragma once
// The audit bundle (CONTRACT.md section 6): one directory with everything an auditor needs to
// re-verify every signature, recount every closed round, recompute every root and check the
// command log's chain, read from a station's data directory. Layout: docs/audit.md.
// Reads the database through SqliteStore (safe while stationd runs: SQLite
// locks). Not thread safe.
#include <cstddef>
#include <filesystem>
#include <string>

#include "station/config/error.hpp"

namespace tallystation::station::ctl {

struct BundleSummary {
  std::size_t commands = 0;
  std::size_t rounds = 0;   // closed rounds exported
  std::size_t ballots = 0;  // ballot envelopes exported
};

// Writes the bundle of the station in `data_dir` to `out`, which must not exist yet.
Result<BundleSummary> export_bundle(const std::filesystem::path& data_dir,
                                    const std::filesystem::path& out);

}  // namespace tallystation::station::ctl
