#pragma once
// The minutes of a round against what the verifier worked out from the bundle (docs/audit.md
// "Checks"): the count ("recount"), the box root, the token commitment and the facts that come
// from the session and the command log. Each minutes member is compared as compact JSON text, so
// a number, a list or its order that differs is named with both values. Pure; thread safe.
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "tally/audit/verify/box_scan.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/audit/verify/round_check.hpp"
#include "tally/contest.hpp"
#include "tally/result.hpp"

namespace tallystation::audit::verify {

// The ids as a JSON array of strings, in their order.
boost::json::array string_array(const std::vector<std::string>& ids);

// The English sentence that minutes signed before they carried codes only held as
// `outcome_message`, word for word as those stations wrote it (tally::outcome_message then). Only
// for checking such legacy bundles: words for display come from tally/wording.hpp.
std::string legacy_outcome_message(const tally::Result& result, std::uint32_t max_rounds);

// Passes if minutes member `key` serialises as `want`, else fails naming both.
void expect(CheckBuilder& b, const boost::json::object& m, std::string_view key,
            const boost::json::value& want);

// The engine's result `r` of contest `c` and the progress `p` after it, against the minutes.
void compare_count(const tally::Contest& c, const tally::Result& r, const boost::json::object& m,
                   const congress::ContestState& p, CheckBuilder& b);

// Adds "box root", "token root" and "minutes facts". `closed` is the round as the replay of the
// log closed it (its `excluded` and `present`).
void compare_facts(const RoundJob& job, const RoundFacts& f, const congress::RoundState& closed,
                   const BoxScan& box, const TokenSet& tokens, const boost::json::object& m,
                   Report& report, const std::string& scope);

}  // namespace tallystation::audit::verify
