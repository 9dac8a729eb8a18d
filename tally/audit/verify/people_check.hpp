#pragma once
// The minutes' people members against the roll and the register (docs/audit.md "Checks",
// `attendance` and `composition`; formats in "Formats, exactly"): what the congress rules give
// for the round from the replayed log (congress::people_minutes), compared member by member with
// what the minutes say, and the minutes' attendance figures added up against each other and
// against the minutes' top-level counts. Only for sessions with a register. Pure; thread safe.
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "tally/audit/verify/report.hpp"
#include "tally/congress/congress.hpp"

namespace tallystation::audit::verify {

// Adds "attendance" and then "composition" for one closed round, whose minutes payload is `m`.
// `expected` is congress::people_minutes for the round (attendance always set with a register;
// composition set only for the round that completed its contest); `majority_basis` the
// contest's (the minutes' `basis` is checked against the roll for the basis `convened`).
void compare_people(const congress::PeopleMinutes& expected, const boost::json::object& m,
                    std::string_view majority_basis, const std::string& scope, Report& report);

// Every member of `want` (an object, recursively) that `got` lacks, holds with another value,
// or holds in another order, and every member `got` has beyond them, as one problem each, named
// by its path: "composition.women.count: recomputed 3, the minutes say 4" (`source` is
// "recomputed" there). Each member of `want` that holds passes one item. Exposed for tests.
void compare_members(const boost::json::value& got, const boost::json::value& want,
                     const std::string& path, std::string_view source, CheckBuilder& b);

}  // namespace tallystation::audit::verify
