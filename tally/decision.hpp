#pragma once
// Who is elected from a ranked tally: seats from the top among those at or above the threshold,
// then alternates; a tie straddling the last place goes to a run-off; fewer than the seats
// reaching the threshold leaves seats unfilled. Rules and sources: docs/rules.md.
// A pure function of its arguments.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tally/result.hpp"

namespace tallystation::tally {

struct Decision {
  std::vector<std::string> elected;
  std::vector<std::string> elected_alternates;
  Outcome outcome = Outcome::complete;  // never exhausted: round limits are applied after
  std::vector<std::string> tied;
  std::uint64_t seats_unfilled = 0;
  std::uint64_t alternates_unfilled = 0;
};

// Precondition: `ranked` is sorted by votes descending then id (as Result::tally).
// - Official seats: walk the candidates at or above `threshold` in vote groups; a group that
//   fits is elected; a group larger than the seats left is a tie: those above are elected and
//   the group goes to a run-off for the seats left (no automatic tie-break).
//   Alternates are then not placed this round (their order depends on the run-off).
// - Alternate places (only when every seat is filled): the same walk over the next candidates;
//   a group larger than the places left is a tie for the alternate places left.
// - Too few at or above the threshold: outcome unfilled for the official seats; a shortfall of
//   alternates alone leaves the outcome complete with alternates_unfilled > 0.
Decision decide(std::span<const TallyEntry> ranked, std::uint64_t threshold, std::uint32_t seats,
                std::uint32_t alternates);

}  // namespace tallystation::tally
