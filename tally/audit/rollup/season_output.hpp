#pragma once
// The season report's files (docs/audit.md "The season report"): report.json, every figure with
// the bundles it came from (config hash, command log head, each counted minutes' file hash and
// ballot box root), and report.csv, one row per roster unit. Rendering is pure; write_report
// writes each file to a temporary name in the same folder, syncs it and renames it over the
// final name, so a reader sees the old file or the new one, never a part.
#include <filesystem>
#include <string>

#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"

namespace tallystation::audit::rollup {

std::string render_json(const Season& s, const Roster& roster);
std::string render_csv(const Season& s, const Roster& roster);

// Creates `dir` if needed and writes report.json and report.csv into it. Throws
// std::runtime_error naming the file on failure.
void write_report(const Season& s, const Roster& roster, const std::filesystem::path& dir);

}  // namespace tallystation::audit::rollup
