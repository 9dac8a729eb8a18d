// Properties over random contests (seeded std::mt19937: reproducible). The rules they check are
// in docs/rules.md; each property names the rule it protects.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "contest_fixture.hpp"
#include "tally/further_round.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

namespace {

struct RandomContest {
  Contest contest;
  std::vector<std::vector<std::uint32_t>> ballots;
};

std::uint32_t pick(std::mt19937& rng, std::uint32_t lo, std::uint32_t hi) {
  return lo + static_cast<std::uint32_t>(rng() % (hi - lo + 1));
}

RandomContest random_contest(std::mt19937& rng) {
  const std::uint32_t seats = pick(rng, 1, 6);
  const std::uint32_t alternates = rng() % 3 == 0 ? pick(rng, 1, 3) : 0;
  const std::uint32_t places = seats + alternates;
  const std::uint32_t candidates = pick(rng, 1, places + 4);
  const std::uint32_t n = pick(rng, 0, 60);
  RandomContest rc;
  rc.contest = make_contest(seats, candidates, n + pick(rng, 0, 10), 0, alternates);
  rc.contest.excluded = rng() % 4 == 0 ? pick(rng, 0, 3) : 0;
  if (rc.contest.excluded > rc.contest.convened) rc.contest.excluded = 0;
  rc.contest.majority_basis = static_cast<MajorityBasis>(rng() % 4);
  rc.contest.present = n + pick(rng, 0, 5);
  for (std::uint32_t b = 0; b < n; ++b) {
    std::vector<std::uint32_t> marks;
    const std::uint32_t k = pick(rng, 0, std::min(candidates, places + 1));
    // Few candidates and small electorates make ties common.
    std::vector<std::uint32_t> order(candidates);
    for (std::uint32_t i = 0; i < candidates; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    marks.assign(order.begin(), order.begin() + k);
    if (rng() % 20 == 0) marks.push_back(kUnknownCandidate);
    rc.ballots.push_back(std::move(marks));
  }
  return rc;
}

Result count(const RandomContest& rc) {
  Counter counter(rc.contest);
  for (const auto& b : rc.ballots) counter.add(b);
  return counter.finish();
}

std::uint64_t votes_of(const Result& r, const std::string& id) {
  for (const auto& e : r.tally) {
    if (e.candidate == id) return e.votes;
  }
  FAIL("no such candidate " << id);
  return 0;
}

}  // namespace

TEST_CASE(
    "over random contests the elected never exceed the places and all reach the threshold (Statute "
    "art. 12.3)",
    "[tally][property]") {
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    const RandomContest rc = random_contest(rng);
    const Result r = count(rc);
    CAPTURE(i);
    CHECK(r.elected.size() <= rc.contest.seats);
    CHECK(r.elected_alternates.size() <= rc.contest.alternates);
    CHECK(r.elected.size() + r.seats_unfilled == rc.contest.seats);
    CHECK(r.elected_alternates.size() + r.alternates_unfilled == rc.contest.alternates);
    CHECK(r.threshold * 2 > r.basis);
    CHECK((r.threshold - 1) * 2 <= r.basis);
    for (const auto& id : r.elected) CHECK(votes_of(r, id) >= r.threshold);
    for (const auto& id : r.elected_alternates) CHECK(votes_of(r, id) >= r.threshold);
    for (const auto& id : r.tied) CHECK(votes_of(r, id) >= r.threshold);
    CHECK(r.ballots_collected == r.valid + r.invalid);
    CHECK((r.outcome == Outcome::tie) == !r.tied.empty());
    if (r.outcome == Outcome::complete) CHECK(r.seats_unfilled == 0);
    if (r.outcome == Outcome::unfilled) CHECK(r.seats_unfilled > 0);
  }
}

TEST_CASE("over random contests shuffling the ballots changes nothing", "[tally][property]") {
  std::mt19937 rng(777);
  for (int i = 0; i < 1000; ++i) {
    RandomContest rc = random_contest(rng);
    const Result before = count(rc);
    std::shuffle(rc.ballots.begin(), rc.ballots.end(), rng);
    for (auto& b : rc.ballots) std::shuffle(b.begin(), b.end(), rng);  // mark order is irrelevant
    CAPTURE(i);
    CHECK(count(rc) == before);
  }
}

TEST_CASE("over random contests a candidate with more votes is never ranked behind one with fewer",
          "[tally][property]") {
  std::mt19937 rng(4242);
  for (int i = 0; i < 2000; ++i) {
    const RandomContest rc = random_contest(rng);
    const Result r = count(rc);
    CAPTURE(i);
    for (std::size_t k = 1; k < r.tally.size(); ++k) {
      CHECK(r.tally[k - 1].votes >= r.tally[k].votes);
      if (r.tally[k - 1].votes == r.tally[k].votes) {
        CHECK(r.tally[k - 1].candidate < r.tally[k].candidate);
      }
    }
    // Elected before alternates before everyone else; no one elected with fewer votes than
    // someone left out who is not tied.
    std::uint64_t min_elected = UINT64_MAX;
    for (const auto& id : r.elected) min_elected = std::min(min_elected, votes_of(r, id));
    for (const auto& e : r.tally) {
      const bool in = std::find(r.elected.begin(), r.elected.end(), e.candidate) != r.elected.end();
      if (!in && min_elected != UINT64_MAX) CHECK(e.votes <= min_elected);
    }
    for (const auto& id : r.elected_alternates) CHECK(votes_of(r, id) <= min_elected);
  }
}

TEST_CASE(
    "over random contests renaming candidates never changes who wins by position (no tie-break by "
    "name)",
    "[tally][property]") {
  std::mt19937 rng(99);
  for (int i = 0; i < 500; ++i) {
    RandomContest rc = random_contest(rng);
    const Result r1 = count(rc);
    // Reverse the alphabetical order of ids while keeping each candidate's ballots: "c01"
    // becomes "r98", "c02" becomes "r97", ...
    for (auto& cand : rc.contest.candidates) {
      const int n = std::stoi(cand.id.substr(1));
      cand.id = "r" + std::to_string(99 - n);
    }
    const Result r2 = count(rc);
    CAPTURE(i);
    CHECK(r1.outcome == r2.outcome);
    CHECK(r1.elected.size() == r2.elected.size());
    CHECK(r1.tied.size() == r2.tied.size());
    CHECK(r1.seats_unfilled == r2.seats_unfilled);
  }
}

TEST_CASE(
    "over random contests a further round offers exactly the places left to candidates not yet "
    "elected",
    "[tally][property]") {
  std::mt19937 rng(2024);
  for (int i = 0; i < 1000; ++i) {
    const RandomContest rc = random_contest(rng);
    const Result r = count(rc);
    const FurtherRound next = further_round(rc.contest, r);
    CAPTURE(i);
    switch (r.outcome) {
      case Outcome::complete:
        CHECK((next.step == NextStep::none) == (r.alternates_unfilled == 0));
        break;
      case Outcome::tie:
        CHECK(next.step == NextStep::runoff);
        CHECK(next.eligible.size() == r.tied.size());
        if (next.alternates_only) {
          CHECK(next.alternates == r.alternates_unfilled);
          CHECK(next.eligible.size() > next.alternates);
        } else {
          CHECK(next.seats == r.seats_unfilled);
          CHECK(next.eligible.size() > next.seats);
        }
        break;
      case Outcome::unfilled:
        CHECK(next.step == NextStep::further_round);
        CHECK(next.seats == r.seats_unfilled);
        CHECK(next.eligible.size() ==
              rc.contest.candidates.size() - r.elected.size() - r.elected_alternates.size());
        break;
      case Outcome::exhausted:
        CHECK(false);
        break;  // the default rule set has no round limit
    }
    for (const auto& id : next.eligible) {
      CHECK(std::find(r.elected.begin(), r.elected.end(), id) == r.elected.end());
    }
  }
}
