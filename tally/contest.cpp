#include "tally/contest.hpp"

#include <algorithm>

namespace tallystation::tally {

std::string_view to_string(ContestProblem problem) {
  switch (problem) {
    case ContestProblem::none:
      return "none";
    case ContestProblem::no_seats:
      return "no_seats";
    case ContestProblem::no_candidates:
      return "no_candidates";
    case ContestProblem::empty_candidate_id:
      return "empty_candidate_id";
    case ContestProblem::duplicate_candidate_id:
      return "duplicate_candidate_id";
    case ContestProblem::excluded_exceeds_convened:
      return "excluded_exceeds_convened";
    case ContestProblem::round_zero:
      return "round_zero";
    case ContestProblem::round_beyond_limit:
      return "round_beyond_limit";
    case ContestProblem::not_single_seat:
      return "not_single_seat";
    case ContestProblem::too_many_candidates:
      return "too_many_candidates";
  }
  return "none";
}

std::string_view describe(ContestProblem problem) {
  switch (problem) {
    case ContestProblem::none:
      return "the contest can be counted";
    case ContestProblem::no_seats:
      return "seats must be at least 1";
    case ContestProblem::no_candidates:
      return "the candidate list is empty";
    case ContestProblem::empty_candidate_id:
      return "a candidate id is empty";
    case ContestProblem::duplicate_candidate_id:
      return "a candidate id appears twice";
    case ContestProblem::excluded_exceeds_convened:
      return "excluded is larger than convened";
    case ContestProblem::round_zero:
      return "round numbers start at 1";
    case ContestProblem::round_beyond_limit:
      return "the rule set's round limit is already past";
    case ContestProblem::not_single_seat:
      return "the rule set elects one person: seats must be 1 and alternates 0";
    case ContestProblem::too_many_candidates:
      return "too many candidates";
  }
  return "";
}

ContestProblem check_contest(const Contest& contest) {
  if (contest.seats == 0) return ContestProblem::no_seats;
  if (contest.candidates.empty()) return ContestProblem::no_candidates;
  if (contest.candidates.size() >= 0xFFFFFFFEu) return ContestProblem::too_many_candidates;
  std::vector<std::string_view> ids;
  ids.reserve(contest.candidates.size());
  for (const auto& c : contest.candidates) {
    if (c.id.empty()) return ContestProblem::empty_candidate_id;
    ids.push_back(c.id);
  }
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return ContestProblem::duplicate_candidate_id;
  }
  if (contest.excluded > contest.convened) return ContestProblem::excluded_exceeds_convened;
  if (contest.round == 0) return ContestProblem::round_zero;
  if (contest.rule_set.max_rounds != 0 && contest.round > contest.rule_set.max_rounds) {
    return ContestProblem::round_beyond_limit;
  }
  if (contest.rule_set.single_seat && (contest.seats != 1 || contest.alternates != 0)) {
    return ContestProblem::not_single_seat;
  }
  return ContestProblem::none;
}

}  // namespace tallystation::tally
