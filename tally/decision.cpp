#include "tally/decision.hpp"

namespace tallystation::tally {

namespace {

struct Fill {
  std::vector<std::string> chosen;
  std::vector<std::string> tied;
  std::uint64_t unfilled = 0;
  std::size_t next = 0;  // first candidate not considered
};

// Fills `places` from ranked[from..] among those with votes >= threshold, by vote groups.
Fill fill_places(std::span<const TallyEntry> ranked, std::size_t from, std::uint64_t threshold,
                 std::uint64_t places) {
  Fill fill;
  std::size_t i = from;
  while (i < ranked.size() && fill.chosen.size() < places && ranked[i].votes >= threshold) {
    std::size_t j = i;
    while (j < ranked.size() && ranked[j].votes == ranked[i].votes) ++j;
    const std::uint64_t left = places - fill.chosen.size();
    if (j - i > left) {
      // The regulation names no automatic tie-break (not age, name nor ballot order): the
      // tied go to a run-off for the places left.
      for (std::size_t k = i; k < j; ++k) fill.tied.push_back(ranked[k].candidate);
      i = j;
      break;
    }
    for (std::size_t k = i; k < j; ++k) fill.chosen.push_back(ranked[k].candidate);
    i = j;
  }
  fill.unfilled = places - fill.chosen.size();
  fill.next = i;
  return fill;
}

}  // namespace

Decision decide(std::span<const TallyEntry> ranked, std::uint64_t threshold, std::uint32_t seats,
                std::uint32_t alternates) {
  Decision d;
  Fill officials = fill_places(ranked, 0, threshold, seats);
  d.elected = std::move(officials.chosen);
  d.seats_unfilled = officials.unfilled;
  d.alternates_unfilled = alternates;
  if (!officials.tied.empty()) {
    d.outcome = Outcome::tie;
    d.tied = std::move(officials.tied);
    return d;
  }
  if (officials.unfilled > 0) {
    d.outcome = Outcome::unfilled;
    return d;
  }
  // Delegates with alternates: one list; alternates are the next best-placed at or above the
  // threshold once every official place is filled.
  Fill alts = fill_places(ranked, officials.next, threshold, alternates);
  d.elected_alternates = std::move(alts.chosen);
  d.alternates_unfilled = alts.unfilled;
  if (!alts.tied.empty()) {
    d.outcome = Outcome::tie;
    d.tied = std::move(alts.tied);
  }
  return d;
}

}  // namespace tallystation::tally
