// Who is elected: ranking, ties at the last seat, unfilled seats, delegates with alternates.
// The regulation's provisions on election results (docs/rules.md "Elected", "Ties", "Unfilled
// seats", "Delegates with alternates").

#include <catch2/catch.hpp>

#include "contest_fixture.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;
using Ids = std::vector<std::string>;

TEST_CASE(
    "candidates at or above the threshold fill the seats from the top by votes (regulation on "
    "election results)",
    "[tally][elected]") {
  // basis 100, threshold 51; 3 seats.
  const Contest c = make_contest(3, 5, 100);
  struct Row {
    std::vector<std::uint64_t> votes;
    Ids elected;
    Outcome outcome;
    Ids tied;
    std::uint64_t unfilled;
  };
  auto row = GENERATE(values<Row>({
      {{90, 80, 70, 60, 10}, {"c01", "c02", "c03"}, Outcome::complete, {}, 0},
      {{60, 70, 80, 90, 10}, {"c04", "c03", "c02"}, Outcome::complete, {}, 0},  // ranked by votes
      {{51, 51, 51, 50, 50}, {"c01", "c02", "c03"}, Outcome::complete, {}, 0},  // 51 reaches it
      {{50, 50, 50, 50, 50}, {}, Outcome::unfilled, {}, 3},                     // half is not more
      {{90, 80, 50, 40, 10}, {"c01", "c02"}, Outcome::unfilled, {}, 1},
      {{90, 80, 70, 70, 10}, {"c01", "c02"}, Outcome::tie, {"c03", "c04"}, 1},
      {{90, 70, 70, 70, 10}, {"c01"}, Outcome::tie, {"c02", "c03", "c04"}, 2},
      {{70, 70, 70, 70, 10}, {}, Outcome::tie, {"c01", "c02", "c03", "c04"}, 3},
      {{90, 80, 70, 70, 70}, {"c01", "c02"}, Outcome::tie, {"c03", "c04", "c05"}, 1},
      {{90, 80, 70, 50, 50}, {"c01", "c02", "c03"}, Outcome::complete, {}, 0},  // tie below seats
      {{90, 90, 90, 70, 10}, {"c01", "c02", "c03"}, Outcome::complete, {}, 0},  // tie inside seats
  }));
  CAPTURE(row.votes);
  const Result r = result_for(c, row.votes, 100);
  CHECK(r.threshold == 51);
  CHECK(r.elected == row.elected);
  CHECK(r.outcome == row.outcome);
  CHECK(r.tied == row.tied);
  CHECK(r.seats_unfilled == row.unfilled);
  CHECK(r.elected_alternates.empty());
}

TEST_CASE(
    "a tie at the last seat is never broken by age name or ballot order but goes to a run-off "
    "(regulation on ties)",
    "[tally][tie]") {
  // Candidate order and ids must not matter: reversing the ballot order gives the same tie.
  Contest c = make_contest(1, 3, 10);
  const Result r1 = result_for(c, {7, 7, 1}, 10);
  std::reverse(c.candidates.begin(), c.candidates.end());
  const Result r2 = result_for(c, {1, 7, 7}, 10);
  CHECK(r1.outcome == Outcome::tie);
  CHECK(r1.elected.empty());
  CHECK(r1.tied == Ids{"c01", "c02"});
  CHECK(r2.tied == r1.tied);
  CHECK(r2.elected == r1.elected);
}

TEST_CASE(
    "a tie among candidates below the threshold is no tie but an unfilled seat (regulation on "
    "election results)",
    "[tally][tie][unfilled]") {
  const Contest c = make_contest(2, 4, 10);  // threshold 6
  const Result r = result_for(c, {8, 5, 5, 1}, 10);
  CHECK(r.elected == Ids{"c01"});
  CHECK(r.outcome == Outcome::unfilled);
  CHECK(r.tied.empty());
  CHECK(r.seats_unfilled == 1);
}

TEST_CASE("the tally lists votes descending then candidate id (contract section 4)",
          "[tally][tally]") {
  Contest c = make_contest(1, 4, 10);
  c.candidates[0].id = "zeta";
  c.candidates[1].id = "alpha";
  c.candidates[2].id = "mu";
  c.candidates[3].id = "beta";
  const Result r = result_for(c, {3, 3, 9, 3}, 10);
  std::vector<std::string> order;
  for (const auto& e : r.tally) order.push_back(e.candidate);
  CHECK(order == Ids{"mu", "alpha", "beta", "zeta"});
}

TEST_CASE(
    "delegates with alternates are elected from one list: officials first then alternates above "
    "the threshold (regulation on delegates)",
    "[tally][alternates]") {
  // 2 official places, 2 alternate places; basis 20, threshold 11.
  const Contest c = make_contest(2, 6, 20, 0, 2);
  struct Row {
    std::vector<std::uint64_t> votes;
    Ids elected;
    Ids alternates;
    Outcome outcome;
    Ids tied;
    std::uint64_t seats_unfilled;
    std::uint64_t alternates_unfilled;
  };
  auto row = GENERATE(values<Row>({
      {{20, 19, 18, 17, 16, 1}, {"c01", "c02"}, {"c03", "c04"}, Outcome::complete, {}, 0, 0},
      {{20, 19, 18, 10, 9, 1}, {"c01", "c02"}, {"c03"}, Outcome::complete, {}, 0, 1},
      {{20, 19, 5, 5, 5, 1}, {"c01", "c02"}, {}, Outcome::complete, {}, 0, 2},
      {{20, 10, 18, 5, 5, 1}, {"c01", "c03"}, {}, Outcome::complete, {}, 0, 2},
      {{20, 5, 5, 5, 5, 1}, {"c01"}, {}, Outcome::unfilled, {}, 1, 2},
      {{20, 15, 15, 12, 11, 1}, {"c01"}, {}, Outcome::tie, {"c02", "c03"}, 1, 2},
      {{20, 19, 15, 12, 12, 1}, {"c01", "c02"}, {"c03"}, Outcome::tie, {"c04", "c05"}, 0, 1},
      {{20, 19, 15, 15, 15, 1}, {"c01", "c02"}, {}, Outcome::tie, {"c03", "c04", "c05"}, 0, 2},
      {{20, 19, 15, 15, 11, 11}, {"c01", "c02"}, {"c03", "c04"}, Outcome::complete, {}, 0, 0},
  }));
  CAPTURE(row.votes);
  const Result r = result_for(c, row.votes, 20);
  CHECK(r.elected == row.elected);
  CHECK(r.elected_alternates == row.alternates);
  CHECK(r.outcome == row.outcome);
  CHECK(r.tied == row.tied);
  CHECK(r.seats_unfilled == row.seats_unfilled);
  CHECK(r.alternates_unfilled == row.alternates_unfilled);
}

TEST_CASE("outcome codes are the contract's stable strings (contract section 4)",
          "[tally][outcome]") {
  CHECK(to_string(Outcome::complete) == "complete");
  CHECK(to_string(Outcome::tie) == "tie");
  CHECK(to_string(Outcome::unfilled) == "unfilled");
  CHECK(to_string(Outcome::exhausted) == "exhausted");
}
