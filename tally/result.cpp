#include "tally/result.hpp"

namespace tallystation::tally {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::complete:
      return "complete";
    case Outcome::tie:
      return "tie";
    case Outcome::unfilled:
      return "unfilled";
    case Outcome::exhausted:
      return "exhausted";
  }
  return "complete";
}

std::string outcome_message(const Result& result, std::uint32_t max_rounds) {
  switch (result.outcome) {
    case Outcome::complete:
      if (result.alternates_unfilled > 0) {
        return "every seat is filled; " + std::to_string(result.alternates_unfilled) +
               " alternate place(s) left unfilled: the congress decides whether to vote again";
      }
      return "every place is filled";
    case Outcome::tie:
      if (result.seats_unfilled > 0) {
        return "a tie at the last seat: a run-off among the " + std::to_string(result.tied.size()) +
               " tied candidates for " + std::to_string(result.seats_unfilled) + " seat(s)";
      }
      return "a tie at the last alternate place: a run-off among the " +
             std::to_string(result.tied.size()) + " tied candidates for " +
             std::to_string(result.alternates_unfilled) + " alternate place(s)";
    case Outcome::unfilled:
      return std::to_string(result.seats_unfilled) +
             " seat(s) unfilled: the congress decides whether to hold another round among the "
             "candidates not yet elected";
    case Outcome::exhausted:
      if (result.appointment_by_higher_committee) {
        return "the round limit of " + std::to_string(max_rounds) +
               " is reached with the position unfilled: it goes to appointment by the directly "
               "higher Party committee";
      }
      return "the round limit of " + std::to_string(max_rounds) + " is reached with " +
             std::to_string(result.seats_unfilled) + " seat(s) unfilled";
  }
  return "";
}

}  // namespace tallystation::tally
