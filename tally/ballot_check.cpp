#include "tally/ballot_check.hpp"

#include <algorithm>

namespace tallystation::tally {

std::string_view to_string(BallotVerdict verdict) {
  switch (verdict) {
    case BallotVerdict::valid:
      return "valid";
    case BallotVerdict::too_many_marks:
      return "too_many_marks";
    case BallotVerdict::unknown_candidate:
      return "unknown_candidate";
    case BallotVerdict::all_crossed_out:
      return "all_crossed_out";
    case BallotVerdict::duplicate_mark:
      return "duplicate_mark";
  }
  return "valid";
}

BallotClassifier::BallotClassifier(const Contest& contest)
    : stamp_(contest.candidates.size(), 0),
      places_(contest.places()),
      surplus_(contest.has_surplus()) {}

BallotVerdict BallotClassifier::classify(std::span<const std::uint32_t> marks) {
  if (++epoch_ == 0) {  // wrapped after 2^32 ballots: restart the stamps
    std::fill(stamp_.begin(), stamp_.end(), 0);
    epoch_ = 1;
  }
  bool unknown = false;
  const std::size_t n = stamp_.size();
  for (const std::uint32_t m : marks) {
    if (m >= n) {
      unknown = true;
      continue;
    }
    if (stamp_[m] == epoch_) return BallotVerdict::duplicate_mark;
    stamp_[m] = epoch_;
  }
  // A name written in that is not on the list makes the ballot invalid (regulation, ballots).
  if (unknown) return BallotVerdict::unknown_candidate;
  // Votes for more people than the number the congress voted to elect: invalid.
  if (marks.size() > places_) return BallotVerdict::too_many_marks;
  // Every name crossed out is invalid only when the list has a surplus; without one (including a
  // single candidate with agree/disagree) a ballot agreeing with no one is valid and gives no vote.
  if (marks.empty() && surplus_) return BallotVerdict::all_crossed_out;
  return BallotVerdict::valid;
}

BallotVerdict classify_ballot(const Contest& contest, std::span<const std::uint32_t> marks) {
  BallotClassifier classifier(contest);
  return classifier.classify(marks);
}

BallotVerdict classify_ballot_ids(const Contest& contest, std::span<const std::string_view> marks) {
  std::vector<std::string_view> sorted(marks.begin(), marks.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return BallotVerdict::duplicate_mark;
  }
  const CandidateIndex index(contest.candidates);
  std::vector<std::uint32_t> indexes;
  indexes.reserve(marks.size());
  for (auto id : marks) indexes.push_back(index.find(id));
  return classify_ballot(contest, indexes);
}

}  // namespace tallystation::tally
