#pragma once
// What may follow a round: from a contest and its result, who may stand in a further round and
// for how many places. Rules and sources: docs/rules.md, "Ties", "Unfilled seats", "Round
// limits", "Further rounds". Pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tally/contest.hpp"
#include "tally/result.hpp"

namespace tallystation::tally {

// Stable values and codes.
enum class NextStep : std::uint8_t {
  none = 0,           // every place is filled
  runoff = 1,         // a tie: a run-off among the tied for the places left
  further_round = 2,  // places unfilled: the congress decides whether to vote again
  appointment = 3,    // round limit reached: the directly higher committee appoints
  closed = 4,         // round limit reached under a rule set that names no appointment
};

std::string_view to_string(NextStep step);

struct FurtherRound {
  NextStep step = NextStep::none;
  std::uint32_t round = 0;       // number of the next round (0 when there is none)
  std::uint32_t seats = 0;       // official seats to fill
  std::uint32_t alternates = 0;  // alternate places to fill
  // The next round fills alternate places only (a tie or shortfall among the alternates): its
  // winners take alternate places, ranked after the alternates already elected.
  bool alternates_only = false;
  std::vector<std::string> eligible;  // candidate ids that may stand, in the contest's ballot order
  // The congress decides whether to hold the round at all (after unfilled; a run-off after a tie
  // is due without that vote).
  bool congress_decides = false;
  // The congress may add nominations to `eligible` (after unfilled, when it so decides;
  // never in a run-off).
  bool new_nominations_allowed = false;
};

// Precondition: `result` is the result of counting `contest`.
FurtherRound further_round(const Contest& contest, const Result& result);

// The contest of the next round: same id, title, rules and basis counts; candidates restricted to
// `next.eligible` (ballot order kept); seats and alternates from `next` (an alternates-only round
// becomes seats = places to fill, alternates = 0); round + 1.
// Precondition: next.step is runoff or further_round.
Contest next_round_contest(const Contest& contest, const FurtherRound& next);

}  // namespace tallystation::tally
