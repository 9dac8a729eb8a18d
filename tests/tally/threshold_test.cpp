// Threshold and majority bases: Party Statute art. 12.3 (more than half of the basis), the
// regulation's worked example, and the other selectable bases. docs/rules.md "Threshold", "Bases".

#include <catch2/catch.hpp>

#include "contest_fixture.hpp"
#include "tally/majority.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

TEST_CASE(
    "the threshold is the least number of votes strictly more than half of the basis (Statute art. "
    "12.3)",
    "[tally][threshold]") {
  auto [basis, threshold] = GENERATE(table<std::uint64_t, std::uint64_t>({{0, 1},
                                                                          {1, 1},
                                                                          {2, 2},
                                                                          {3, 2},
                                                                          {10, 6},
                                                                          {11, 6},
                                                                          {296, 149},
                                                                          {300, 151},
                                                                          {301, 151},
                                                                          {1000000, 500001},
                                                                          {1000001, 500001}}));
  CAPTURE(basis);
  CHECK(threshold_for(basis) == threshold);
  CHECK(threshold_for(basis) * 2 > basis);
  if (threshold_for(basis) > 0) CHECK((threshold_for(basis) - 1) * 2 <= basis);
}

TEST_CASE(
    "the regulation's worked example: 11 official members with 1 excluded give basis 10 and a "
    "candidate with 5 votes is not elected while 6 are needed (Statute art. 12.3)",
    "[tally][threshold][example]") {
  Contest c = make_contest(1, 2, 11, 1);
  SECTION("5 votes: not elected") {
    const Result r = result_for(c, {5, 4}, 9);
    CHECK(r.basis == 10);
    CHECK(r.threshold == 6);
    CHECK(r.elected.empty());
    CHECK(r.outcome == Outcome::unfilled);
    CHECK(r.seats_unfilled == 1);
  }
  SECTION("6 votes: elected") {
    const Result r = result_for(c, {6, 3}, 9);
    CHECK(r.elected == std::vector<std::string>{"c01"});
    CHECK(r.outcome == Outcome::complete);
  }
}

TEST_CASE(
    "the Statute's basis is convened less excluded while other bases take the named count "
    "(contract section 4)",
    "[tally][basis]") {
  Contest c = make_contest(1, 2, 300, 4);
  c.present = 290;
  InvalidCounts inv;
  inv.by_reason[0] = 2;  // 2 invalid: ballots collected = valid + 2
  auto [basis_kind, expected] =
      GENERATE(table<MajorityBasis, std::uint64_t>({{MajorityBasis::convened, 296},
                                                    {MajorityBasis::present, 290},
                                                    {MajorityBasis::ballots_collected, 282},
                                                    {MajorityBasis::valid_ballots, 280}}));
  c.majority_basis = basis_kind;
  const Result r = result_from_totals(c, std::vector<std::uint64_t>{150, 130}, 280, inv);
  CAPTURE(to_string(basis_kind));
  CHECK(r.basis == expected);
  CHECK(r.threshold == expected / 2 + 1);
  CHECK(r.ballots_collected == 282);
}

TEST_CASE(
    "the same votes can elect on valid ballots and fail on the Statute's basis so the bases must "
    "not be mixed up",
    "[tally][basis]") {
  Contest c = make_contest(1, 2, 300);
  const std::vector<std::uint64_t> votes{140, 100};  // 240 valid ballots
  c.majority_basis = MajorityBasis::convened;
  CHECK(result_for(c, votes, 240).elected.empty());
  c.majority_basis = MajorityBasis::valid_ballots;
  CHECK(result_for(c, votes, 240).elected == std::vector<std::string>{"c01"});
}

TEST_CASE("majority basis names round-trip through their stable strings", "[tally][basis]") {
  for (auto b : {MajorityBasis::convened, MajorityBasis::present, MajorityBasis::ballots_collected,
                 MajorityBasis::valid_ballots}) {
    CHECK(parse_majority_basis(to_string(b)) == b);
  }
  CHECK_FALSE(parse_majority_basis("valid").has_value());
  CHECK_FALSE(parse_majority_basis("Convened").has_value());
}
