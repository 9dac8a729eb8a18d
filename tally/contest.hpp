#pragma once
// A contest: one ballot of one round (what it elects, who stands, and the counts its majority
// basis needs). Contract section 5 describes its file form; docs/rules.md the rules.
// Plain value type, no invariants enforced on construction: check_contest() says whether a
// contest can be counted. Safe to share between threads once built.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tally/majority.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::tally {

struct Candidate {
  std::string id;
  std::string name;
};

inline constexpr std::uint32_t kDefaultMaxSurplusPercent = 30;

struct Contest {
  std::string id;
  std::string title;
  std::uint32_t seats = 0;            // official places
  std::uint32_t alternates = 0;       // alternate places, elected on the same list (delegates)
  std::vector<Candidate> candidates;  // in ballot order
  RuleSet rule_set = rule_set_cpv_2024();
  MajorityBasis majority_basis = MajorityBasis::convened;
  std::uint64_t convened = 0;
  std::uint64_t excluded = 0;
  std::uint64_t present = 0;
  std::uint32_t round = 1;  // 1-based
  std::uint32_t max_surplus_percent = kDefaultMaxSurplusPercent;

  // Places one ballot may fill: official plus alternate places.
  std::uint64_t places() const { return std::uint64_t{seats} + alternates; }
  // The list has more candidates than places (otherwise a ballot agreeing with no one is valid).
  bool has_surplus() const { return candidates.size() > places(); }
};

// Why a contest cannot be counted. Stable values and codes.
enum class ContestProblem : std::uint8_t {
  none = 0,
  no_seats = 1,
  no_candidates = 2,
  empty_candidate_id = 3,
  duplicate_candidate_id = 4,
  excluded_exceeds_convened = 5,
  round_zero = 6,
  round_beyond_limit = 7,   // the rule set's round limit is already past
  not_single_seat = 8,      // the rule set elects one person without alternates
  too_many_candidates = 9,  // more than 2^32 - 2 (indexes are 32-bit)
};

std::string_view to_string(ContestProblem problem);  // e.g. "duplicate_candidate_id"
std::string_view describe(ContestProblem problem);   // a human sentence

ContestProblem check_contest(const Contest& contest);

}  // namespace tallystation::tally
