#include "tally/counter.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "tally/decision.hpp"

namespace tallystation::tally {

namespace {
Contest checked(Contest contest) {
  const ContestProblem p = check_contest(contest);
  if (p != ContestProblem::none) {
    throw std::invalid_argument("contest cannot be counted: " + std::string(describe(p)));
  }
  return contest;
}
}  // namespace

Counter::Counter(Contest contest)
    : contest_(checked(std::move(contest))),
      index_(contest_.candidates),
      classifier_(contest_),
      votes_(contest_.candidates.size(), 0) {}

BallotVerdict Counter::add(std::span<const std::uint32_t> marks) {
  const BallotVerdict v = classifier_.classify(marks);
  if (v == BallotVerdict::valid) {
    ++valid_;
    for (const std::uint32_t m : marks) ++votes_[m];
  } else if (is_invalid(v)) {
    ++invalid_.by_reason[static_cast<std::size_t>(v) - 1];
  }
  return v;
}

BallotVerdict Counter::add_ids(std::span<const std::string_view> marks) {
  scratch_.clear();
  unknown_scratch_.clear();
  for (const std::string_view mark : marks) {
    const std::uint32_t idx = index_.find(mark);
    // The classifier cannot tell unknown marks apart: collect those ids and compare them below.
    if (idx == kUnknownCandidate) unknown_scratch_.push_back(mark);
    scratch_.push_back(idx);
  }
  if (unknown_scratch_.size() > 1) {
    // Sorted, so that a hostile line of many unknown ids costs n log n, not n squared.
    std::sort(unknown_scratch_.begin(), unknown_scratch_.end());
    if (std::adjacent_find(unknown_scratch_.begin(), unknown_scratch_.end()) !=
        unknown_scratch_.end()) {
      return BallotVerdict::duplicate_mark;
    }
  }
  return add(scratch_);
}

std::vector<TallyEntry> rank(const Contest& contest, std::span<const std::uint64_t> votes) {
  std::vector<TallyEntry> tally;
  tally.reserve(contest.candidates.size());
  for (std::size_t i = 0; i < contest.candidates.size(); ++i) {
    tally.push_back(
        {contest.candidates[i].id, contest.candidates[i].name, i < votes.size() ? votes[i] : 0});
  }
  std::sort(tally.begin(), tally.end(), [](const TallyEntry& a, const TallyEntry& b) {
    if (a.votes != b.votes) return a.votes > b.votes;
    return a.candidate < b.candidate;
  });
  return tally;
}

Result result_from_totals(const Contest& contest, std::span<const std::uint64_t> votes,
                          std::uint64_t valid, const InvalidCounts& invalid) {
  Result r;
  r.round = contest.round;
  r.valid = valid;
  r.invalid_by_reason = invalid;
  r.invalid = std::accumulate(invalid.by_reason.begin(), invalid.by_reason.end(), std::uint64_t{0});
  r.ballots_collected = r.valid + r.invalid;
  r.basis = basis_value(contest.majority_basis,
                        BasisCounts{contest.convened, contest.excluded, contest.present,
                                    r.ballots_collected, r.valid});
  r.threshold = threshold_for(r.basis);
  r.tally = rank(contest, votes);

  // Invariants that protect the count, kept in release builds: a valid ballot gives at most one
  // vote per candidate and at most `places` votes, so no candidate has more votes than there are
  // valid ballots and the votes add up to at most valid * places.
  std::uint64_t total = 0;
  for (const auto& e : r.tally) {
    if (e.votes > r.valid) throw std::logic_error("tally: a candidate has more votes than ballots");
    total += e.votes;
  }
  const bool too_many =
      r.valid == 0 ? total != 0 : (total - 1) / r.valid + 1 > contest.places();  // ceil
  if (total != 0 && too_many) {
    throw std::logic_error("tally: more votes than valid ballots can give");
  }

  Decision d = decide(r.tally, r.threshold, contest.seats, contest.alternates);
  r.elected = std::move(d.elected);
  r.elected_alternates = std::move(d.elected_alternates);
  r.outcome = d.outcome;
  r.tied = std::move(d.tied);
  r.seats_unfilled = d.seats_unfilled;
  r.alternates_unfilled = d.alternates_unfilled;

  // Round limit: the last allowed round ending with a seat unfilled (tie or too few) exhausts
  // the contest; there is no run-off nor further round after it.
  const RuleSet& rules = contest.rule_set;
  if (rules.max_rounds != 0 && contest.round >= rules.max_rounds && r.seats_unfilled > 0) {
    r.outcome = Outcome::exhausted;
    r.tied.clear();
    r.appointment_by_higher_committee = rules.appointment_when_exhausted;
  }
  return r;
}

Result Counter::finish() const {
  return result_from_totals(contest_, votes_, valid_, invalid_);
}

}  // namespace tallystation::tally
