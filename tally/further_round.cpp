#include "tally/further_round.hpp"

#include <algorithm>

namespace tallystation::tally {

std::string_view to_string(NextStep step) {
  switch (step) {
    case NextStep::none:
      return "none";
    case NextStep::runoff:
      return "runoff";
    case NextStep::further_round:
      return "further_round";
    case NextStep::appointment:
      return "appointment";
    case NextStep::closed:
      return "closed";
  }
  return "none";
}

namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::uint32_t narrow(std::uint64_t n) {
  return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(n);
}

}  // namespace

FurtherRound further_round(const Contest& contest, const Result& result) {
  FurtherRound next;
  if (result.outcome == Outcome::exhausted) {
    next.step = result.appointment_by_higher_committee ? NextStep::appointment : NextStep::closed;
    return next;
  }
  next.round = contest.round + 1;
  if (result.outcome == Outcome::tie) {
    // A tie at the last place: only the tied stand again, for the places left; no new names.
    next.step = NextStep::runoff;
    for (const auto& c : contest.candidates) {
      if (contains(result.tied, c.id)) next.eligible.push_back(c.id);
    }
    if (result.seats_unfilled > 0) {
      next.seats = narrow(result.seats_unfilled);
      next.alternates = narrow(result.alternates_unfilled);
    } else {
      next.alternates_only = true;
      next.alternates = narrow(result.alternates_unfilled);
    }
    return next;
  }
  if (result.seats_unfilled == 0 && result.alternates_unfilled == 0) {
    next.round = 0;
    return next;
  }
  // Unfilled: the congress decides whether to vote again, for the places left, among those not
  // yet elected; it may also decide to take new nominations.
  next.step = NextStep::further_round;
  next.congress_decides = true;
  next.new_nominations_allowed = true;
  next.seats = narrow(result.seats_unfilled);
  next.alternates = narrow(result.alternates_unfilled);
  next.alternates_only = result.seats_unfilled == 0;
  for (const auto& c : contest.candidates) {
    if (!contains(result.elected, c.id) && !contains(result.elected_alternates, c.id)) {
      next.eligible.push_back(c.id);
    }
  }
  return next;
}

Contest next_round_contest(const Contest& contest, const FurtherRound& next) {
  Contest c = contest;
  c.candidates.clear();
  for (const auto& cand : contest.candidates) {
    if (contains(next.eligible, cand.id)) c.candidates.push_back(cand);
  }
  if (next.alternates_only) {
    c.seats = next.alternates;
    c.alternates = 0;
  } else {
    c.seats = next.seats;
    c.alternates = next.alternates;
  }
  c.round = contest.round + 1;
  return c;
}

}  // namespace tallystation::tally
