#pragma once
// One counted congress's results in the NIST SP 1500-100 Election Results Reporting Common Data
// Format, revision 2 (doi:10.6028/NIST.SP.1500-100r2), JSON version: one
// `ElectionResults.ElectionReport` as the schema NIST_V2_election_results_reporting.json
// (usnistgov/ElectionResultsReporting, branch version2) defines it. The mapping, member by
// member, is in docs/audit.md "The season report", "results-nist". Reads the bundle again after
// its verification and refuses it if session.json or a last minutes file no longer has the hash
// the outcome recorded. Pure apart from reading the bundle; thread safe.
#include <filesystem>
#include <string>

#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"

namespace tallystation::audit::rollup {

struct NistContext {
  std::string generated;  // the report's GeneratedDate, "YYYY-MM-DDThh:mm:ssZ" (UTC)
};

// The ElectionReport of `unit`'s congress, from `bundle` whose outcome `o` is `counted`, as
// compact JSON and one LF. Throws std::runtime_error if the bundle changed since `o` was taken.
std::string render_nist(const std::filesystem::path& bundle, const BundleOutcome& o,
                        const Unit& unit, const NistContext& ctx);

}  // namespace tallystation::audit::rollup
