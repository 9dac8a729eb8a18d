#pragma once
// The streaming counter: built from a Contest, fed one ballot at a time, finished into a Result.
// Memory is O(candidates), never O(ballots). Rules and sources: docs/rules.md.
// Not thread-safe: one counter per thread (counts can be summed by the caller if needed).

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tally/ballot_check.hpp"
#include "tally/candidate_index.hpp"
#include "tally/contest.hpp"
#include "tally/result.hpp"

namespace tallystation::tally {

class Counter {
 public:
  // Throws std::invalid_argument if check_contest(contest) reports a problem: counting an
  // uncountable contest is a caller's bug, not data.
  explicit Counter(Contest contest);

  // Counts one ballot whose marks are candidate indexes (ballot order; kUnknownCandidate or any
  // index out of range for a name not on the list). A valid ballot gives one vote to each mark;
  // an invalid one is collected and counted as invalid; a refused one (duplicate_mark) changes
  // nothing. Returns the verdict.
  BallotVerdict add(std::span<const std::uint32_t> marks);
  // The same with marks as candidate ids (a repeated id, known or not, is refused).
  BallotVerdict add_ids(std::span<const std::string_view> marks);

  // The result so far; may be called at any time, any number of times.
  // For the bases ballots_collected and valid_ballots, the basis is this counter's own count.
  Result finish() const;

  const Contest& contest() const { return contest_; }
  const CandidateIndex& index() const { return index_; }
  std::uint64_t ballots_collected() const {
    return valid_ + invalid_.by_reason[0] + invalid_.by_reason[1] + invalid_.by_reason[2];
  }

 private:
  Contest contest_;
  CandidateIndex index_;
  BallotClassifier classifier_;
  std::vector<std::uint64_t> votes_;  // by candidate index
  std::uint64_t valid_ = 0;
  InvalidCounts invalid_;
  std::vector<std::uint32_t> scratch_;
  std::vector<std::string_view> unknown_scratch_;
};

// Ranks a contest's vote counts: votes descending, then candidate id bytewise.
std::vector<TallyEntry> rank(const Contest& contest, std::span<const std::uint64_t> votes);

// Everything after the count: basis, threshold, decision and the rule set's round limit.
// `votes` by candidate index; used by Counter::finish and by tests that start from totals.
Result result_from_totals(const Contest& contest, std::span<const std::uint64_t> votes,
                          std::uint64_t valid, const InvalidCounts& invalid);

}  // namespace tallystation::tally
