#pragma once
// Classifies one ballot of a contest: valid, invalid (with the regulation's reason), or refused
// as malformed. Rules and sources: docs/rules.md, "Valid and invalid ballots".
// A BallotClassifier keeps scratch state (one stamp per candidate): one per thread.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tally/candidate_index.hpp"
#include "tally/contest.hpp"

namespace tallystation::tally {

// Stable values and codes: they appear in records and minutes.
enum class BallotVerdict : std::uint8_t {
  valid = 0,
  // Invalid ballots: collected and counted as invalid, as paper ballots would be.
  too_many_marks = 1,     // marks for more candidates than there are places
  unknown_candidate = 2,  // a name not on the list
  all_crossed_out = 3,    // no one kept, on a list with more candidates than places
  // Refused: not a ballot at all, never collected nor counted (contract section 2).
  duplicate_mark = 4,
};

inline constexpr std::size_t kInvalidReasonCount = 3;

// "valid", "too_many_marks", "unknown_candidate", "all_crossed_out", "duplicate_mark".
std::string_view to_string(BallotVerdict verdict);
constexpr bool is_refused(BallotVerdict v) {
  return v == BallotVerdict::duplicate_mark;
}
constexpr bool is_invalid(BallotVerdict v) {
  return v == BallotVerdict::too_many_marks || v == BallotVerdict::unknown_candidate ||
         v == BallotVerdict::all_crossed_out;
}

class BallotClassifier {
 public:
  // Precondition: check_contest(contest) == ContestProblem::none. Keeps no reference to it.
  explicit BallotClassifier(const Contest& contest);

  // `marks` are candidate indexes in ballot order of the contest, or kUnknownCandidate (indexes
  // out of range count as unknown too). The first reason found wins, in this order:
  // duplicate_mark, unknown_candidate, too_many_marks, all_crossed_out.
  // Repeated unknown marks cannot be told apart here: callers holding ids check those.
  BallotVerdict classify(std::span<const std::uint32_t> marks);

 private:
  std::vector<std::uint32_t> stamp_;  // ballot number that last marked each candidate
  std::uint32_t epoch_ = 0;
  std::uint64_t places_ = 0;
  bool surplus_ = false;
};

// One-off classification (allocates the classifier's scratch state).
BallotVerdict classify_ballot(const Contest& contest, std::span<const std::uint32_t> marks);
// The same with marks as candidate ids; a repeated id, known or not, is duplicate_mark.
BallotVerdict classify_ballot_ids(const Contest& contest, std::span<const std::string_view> marks);

}  // namespace tallystation::tally
