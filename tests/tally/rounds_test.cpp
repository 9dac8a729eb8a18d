// Round limits and further rounds (docs/rules.md "Round limits", "Further rounds").

#include <catch2/catch.hpp>

#include "contest_fixture.hpp"
#include "tally/further_round.hpp"
#include "tally/wording.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;
using Ids = std::vector<std::string>;

TEST_CASE(
    "a Party cell secretary not elected by the third round goes to appointment by the higher "
    "committee (regulation on electing a cell secretary)",
    "[tally][rounds]") {
  Contest c = make_contest(1, 2, 9);  // threshold 5
  c.rule_set = rule_set_cpv_2024_cell_secretary();
  auto [round, votes, outcome, appointment] =
      GENERATE(table<std::uint32_t, std::vector<std::uint64_t>, Outcome, bool>({
          {1, {4, 4}, Outcome::unfilled, false},  // one seat: no tie can reach the threshold
          {2, {4, 3}, Outcome::unfilled, false},
          {3, {4, 3}, Outcome::exhausted, true},
          {3, {4, 4}, Outcome::exhausted, true},
          {3, {5, 3}, Outcome::complete, false},
      }));
  c.round = round;
  const Result r = result_for(c, votes, 9);
  CAPTURE(round, votes);
  CHECK(r.outcome == outcome);
  CHECK(r.appointment_by_higher_committee == appointment);
  if (outcome == Outcome::exhausted) {
    CHECK(r.tied.empty());
    CHECK(r.seats_unfilled == 1);
    const FurtherRound next = further_round(c, r);
    CHECK(next.step == NextStep::appointment);
    CHECK(next.eligible.empty());
    CHECK(render_outcome(outcome_facts(r, next), Language::en)
              .find("appointment by the directly higher Party committee") != std::string::npos);
    CHECK(render_outcome(outcome_facts(r, next), Language::vi)
              .find("cấp ủy cấp trên trực tiếp chỉ định") != std::string::npos);
  }
}

TEST_CASE("the default rule set sets no round limit so the congress decides (Statute art. 12.3)",
          "[tally][rounds]") {
  Contest c = make_contest(1, 2, 9);
  c.round = 7;
  const Result r = result_for(c, {4, 3}, 9);
  CHECK(r.outcome == Outcome::unfilled);
  CHECK(further_round(c, r).step == NextStep::further_round);
  CHECK(find_rule_set("cpv-2024")->max_rounds == 0);
  CHECK(find_rule_set("cpv-2024-cell-secretary")->max_rounds == 3);
  CHECK_FALSE(find_rule_set("cpv-2014").has_value());
}

TEST_CASE(
    "after a tie the run-off is among the tied for the seats left and takes no new names "
    "(regulation on ties)",
    "[tally][further]") {
  const Contest c = make_contest(3, 5, 100);
  const Result r = result_for(c, {90, 70, 70, 70, 10}, 100);
  REQUIRE(r.outcome == Outcome::tie);
  const FurtherRound next = further_round(c, r);
  CHECK(next.step == NextStep::runoff);
  CHECK(next.round == 2);
  CHECK(next.seats == 2);
  CHECK(next.eligible == Ids{"c02", "c03", "c04"});
  CHECK_FALSE(next.new_nominations_allowed);
  CHECK_FALSE(next.congress_decides);
  const Contest c2 = next_round_contest(c, next);
  CHECK(c2.round == 2);
  CHECK(c2.seats == 2);
  CHECK(c2.candidates.size() == 3);
  CHECK(c2.convened == c.convened);
  CHECK(check_contest(c2) == ContestProblem::none);
}

TEST_CASE(
    "after unfilled seats a further round is for the seats left among those not yet elected and "
    "the congress may add names (regulation on election results)",
    "[tally][further]") {
  const Contest c = make_contest(3, 5, 100);
  const Result r = result_for(c, {90, 40, 30, 20, 10}, 100);
  REQUIRE(r.outcome == Outcome::unfilled);
  const FurtherRound next = further_round(c, r);
  CHECK(next.step == NextStep::further_round);
  CHECK(next.seats == 2);
  CHECK(next.eligible == Ids{"c02", "c03", "c04", "c05"});
  CHECK(next.congress_decides);
  CHECK(next.new_nominations_allowed);
}

TEST_CASE("a complete result needs no further round", "[tally][further]") {
  const Contest c = make_contest(2, 3, 10);
  const Result r = result_for(c, {9, 8, 1}, 10);
  const FurtherRound next = further_round(c, r);
  CHECK(next.step == NextStep::none);
  CHECK(next.round == 0);
}

TEST_CASE(
    "a tie for the last alternate place calls a run-off for alternate places only (regulation on "
    "delegates)",
    "[tally][further][alternates]") {
  const Contest c = make_contest(2, 6, 20, 0, 2);
  const Result r = result_for(c, {20, 19, 15, 12, 12, 1}, 20);
  REQUIRE(r.outcome == Outcome::tie);
  const FurtherRound next = further_round(c, r);
  CHECK(next.step == NextStep::runoff);
  CHECK(next.alternates_only);
  CHECK(next.alternates == 1);
  CHECK(next.eligible == Ids{"c04", "c05"});
  const Contest c2 = next_round_contest(c, next);
  CHECK(c2.seats == 1);
  CHECK(c2.alternates == 0);
}

TEST_CASE("a round derived from a result counts to the end: tie then run-off elects",
          "[tally][further]") {
  const Contest c = make_contest(2, 4, 10);
  const Result r1 = result_for(c, {9, 7, 7, 1}, 10);
  REQUIRE(r1.outcome == Outcome::tie);
  const Contest c2 = next_round_contest(c, further_round(c, r1));
  Counter counter(c2);
  for (int i = 0; i < 6; ++i) counter.add(std::vector<std::uint32_t>{0});
  for (int i = 0; i < 4; ++i) counter.add(std::vector<std::uint32_t>{1});
  const Result r2 = counter.finish();
  CHECK(r2.round == 2);
  CHECK(r2.elected == Ids{"c02"});
  CHECK(r2.outcome == Outcome::complete);
}
