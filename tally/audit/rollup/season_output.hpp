#pragma once
// The season report's files (docs/audit.md "The season report"): report.json, every figure with
// the bundles it came from (config hash, command log head, each counted minutes' file hash and
// ballot box root), report.csv, one row per roster unit, report.html, the page to read and print
// (html_report.hpp), and results-nist/<unit>.json for each held unit (nist_results.hpp).
// Rendering is pure; write_report
// writes each file to a temporary name in the same folder, syncs it and renames it over the
// final name, so a reader sees the old file or the new one, never a part.
#include <filesystem>
#include <string>

#include "tally/audit/rollup/report_words.hpp"
#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"

namespace tallystation::audit::rollup {

std::string render_json(const Season& s, const Roster& roster);
std::string render_csv(const Season& s, const Roster& roster);

struct ReportOptions {
  std::filesystem::path bundles;  // the folder the season was rolled up from (results-nist)
  Lang lang = Lang::en;           // report.html's language
  std::string generated;          // the report's time, "YYYY-MM-DDThh:mm:ssZ" (UTC)
};

// Creates `dir` if needed and writes report.json, report.csv, report.html and
// results-nist/<unit>.json into it; a results-nist/*.json file of a unit not held this time is
// removed. Throws std::runtime_error naming the file on failure.
void write_report(const Season& s, const Roster& roster, const std::filesystem::path& dir,
                  const ReportOptions& options);

}  // namespace tallystation::audit::rollup
