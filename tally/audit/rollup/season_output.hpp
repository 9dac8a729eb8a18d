#pragma once
// The season report's files (docs/audit.md "The season report"): report.json, every figure with
// the bundles it came from (config hash, command log head, each counted minutes' file hash and
// ballot box root), report.csv, one row per roster unit, report.html, the page to read and print
// (html_report.hpp), and results-nist/<unit>.json for each held unit (nist_results.hpp).
// Rendering is pure; write_report writes each file to a temporary name in the same folder, makes
// them all durable at once (syncfs) and renames each over its final name, so a reader sees the
// old file or the new one, never a part.
#include <filesystem>
#include <ostream>
#include <string>

#include "tally/audit/rollup/report_words.hpp"
#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"

namespace tallystation::audit::rollup {

// report.json, written to `out` one unit and one bundle at a time; render_json is the same as a
// string (tests).
void write_json(const Season& s, const Roster& roster, std::ostream& out);
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

// Removes the NIST files the workers staged in `nist` (RollupOptions::nist_staging) and no
// report took: for a run that ends without a report.
void discard_staged(const std::filesystem::path& nist);

}  // namespace tallystation::audit::rollup
