#include "tally/surplus.hpp"

#include "tally/percent.hpp"

namespace tallystation::tally {

std::string_view to_string(SurplusVerdict verdict) {
  switch (verdict) {
    case SurplusVerdict::ok:
      return "ok";
    case SurplusVerdict::no_surplus:
      return "no_surplus";
    case SurplusVerdict::too_few:
      return "too_few";
    case SurplusVerdict::too_many:
      return "too_many";
  }
  return "ok";
}

SurplusCheck check_surplus(std::uint64_t places, std::uint64_t candidates,
                           std::uint32_t max_surplus_percent) {
  SurplusCheck s;
  s.places = places;
  s.candidates = candidates;
  s.surplus = candidates > places ? candidates - places : 0;
  s.max_candidates = places + places * max_surplus_percent / 100;
  s.surplus_percent = percent_of(s.surplus, places);
  if (candidates < places) {
    s.verdict = SurplusVerdict::too_few;
  } else if (candidates == places) {
    s.verdict = SurplusVerdict::no_surplus;
  } else if (s.surplus * 100 > places * std::uint64_t{max_surplus_percent}) {
    // "không quá 30% số lượng cần bầu" (190-QD/TW art. 14.1): surplus <= 30% of places, exactly.
    s.verdict = SurplusVerdict::too_many;
  } else {
    s.verdict = SurplusVerdict::ok;
  }
  return s;
}

SurplusCheck check_surplus(const Contest& contest) {
  return check_surplus(contest.places(), contest.candidates.size(), contest.max_surplus_percent);
}

}  // namespace tallystation::tally
