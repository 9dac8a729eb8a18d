#pragma once
// The season report's figures (docs/audit.md "The season report"): what one verified bundle's
// minutes state about the bodies its congress elected, and sums of them over units. Counts only:
// percentages and mean ages are derived when the report is written, from the sums, with the
// minutes' own helper (congress::percent_1), so that a total is never an average of rounded
// figures. Values; not thread safe.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace tallystation::audit::rollup {

// The offices a contest may elect (docs/session.md, contest `office`), in the report's order.
inline constexpr std::array<std::string_view, 7> kOffices = {"committee",
                                                             "standing_committee",
                                                             "secretary",
                                                             "deputy_secretary",
                                                             "inspection_committee",
                                                             "delegates",
                                                             "other"};

// One office's figures, summed over the contests that elect it.
struct BodyFigures {
  std::uint64_t contests = 0;  // contests counted
  std::uint64_t elected = 0;   // everyone elected to their official seats
  std::uint64_t described =
      0;  // of them, those a `composition` describes (sessions with a register)
  std::uint64_t re_elected = 0, first_time = 0, women = 0, under_40 = 0, ethnic_minority = 0,
                non_local = 0;
  std::uint64_t age_sum =
      0;  // the ages of the described, in whole years on each congress's first day
  std::uint64_t planned_contests = 0;      // contests with a personnel plan
  std::uint64_t planned = 0;               // the plans' sizes
  std::uint64_t planned_not_elected = 0;   // of the plans, not elected
  std::uint64_t elected_in_planned = 0;    // elected in contests with a plan
  std::uint64_t elected_outside_plan = 0;  // of them, not in the plan
  void add(const BodyFigures& o);
};

// A unit's figures, or the sum of several units'.
struct Figures {
  std::uint64_t expected = 0;                 // roster units
  std::uint64_t held = 0;                     // units counted (one verified bundle)
  std::uint64_t missing = 0;                  // units with no bundle
  std::uint64_t excluded = 0;                 // units whose one bundle failed verification
  std::uint64_t conflict = 0;                 // units with two bundles or more
  std::uint64_t units_without_secretary = 0;  // held units whose congress elected no secretary
  std::uint64_t contests_not_complete = 0;    // contests of held units that are not counted
  std::array<BodyFigures, kOffices.size()> bodies{};
  void add(const Figures& o);
  BodyFigures& body(std::string_view office);  // "other" for an office not in kOffices
  const BodyFigures& body(std::string_view office) const;
};

// What one contest of a verified bundle contributes, for tracing a figure to its minutes.
struct ContestTrace {
  std::string contest;
  std::uint32_t round = 0;      // the contest's last closed round; 0 if none
  bool counted = false;         // its last minutes complete it
  std::string office;           // the composition's office; "other" without a composition
  std::uint64_t elected = 0;    // counted: the elected to its official seats
  bool composition = false;     // the minutes carry a composition
  std::string minutes_sha256;   // SHA-256 of the minutes.json file's bytes ("" if none)
  std::string ballot_box_root;  // the minutes' ballot_box.root
};

// The figures of one congress: every contest's last minutes. Only called on a bundle that
// `tally-audit verify` accepted; `contests` gets one trace per contest of the session, in the
// session's order. Throws std::runtime_error if the bundle does not say what verification
// established (it changed under the reader).
Figures bundle_figures(const std::filesystem::path& bundle, std::vector<ContestTrace>& contests);

// {"expected","held","held_percent","missing","excluded","conflict","units_without_secretary",
//  "contests_not_complete","bodies":{office:{..}}} as docs/audit.md "The season report" gives.
boost::json::object to_json(const Figures& f);
// The same object, compact, appended to `out` as json::serialize(to_json(f)) would write it,
// without building it (report.json has two per roster unit).
void append_json(const Figures& f, std::string& out);

// The CSV columns of to_csv_row, after unit, name, parent, status.
std::vector<std::string> csv_columns();
std::vector<std::string> to_csv_row(const Figures& f);

}  // namespace tallystation::audit::rollup
