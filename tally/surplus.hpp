#pragma once
// The surplus rule for a candidate list: the list may hold at most a given percentage more
// candidates than places (30% unless the contest says otherwise). Rules and sources:
// docs/rules.md, "Surplus". Pure functions, exact integer arithmetic.

#include <cstdint>
#include <string>
#include <string_view>

#include "tally/contest.hpp"

namespace tallystation::tally {

// Stable values and codes.
enum class SurplusVerdict : std::uint8_t {
  ok = 0,          // more candidates than places, within the limit
  no_surplus = 1,  // exactly as many candidates as places: allowed where the regulation allows an
                   // equal list (e.g. one candidate for one post); committee lists need a surplus
  too_few = 2,     // fewer candidates than places: the list cannot fill them
  too_many = 3,    // the surplus is above the limit
};

std::string_view to_string(SurplusVerdict verdict);

struct SurplusCheck {
  SurplusVerdict verdict = SurplusVerdict::ok;
  std::uint64_t places = 0;
  std::uint64_t candidates = 0;
  std::uint64_t surplus = 0;         // candidates - places, 0 when fewer
  std::uint64_t max_candidates = 0;  // places + floor(places * max_percent / 100)
  std::string surplus_percent;       // surplus as a percentage of places, "23.08" (for minutes)
};

// `places` official plus alternate places.
SurplusCheck check_surplus(std::uint64_t places, std::uint64_t candidates,
                           std::uint32_t max_surplus_percent = kDefaultMaxSurplusPercent);
// The contest's list against its own places and max_surplus_percent.
SurplusCheck check_surplus(const Contest& contest);

}  // namespace tallystation::tally
