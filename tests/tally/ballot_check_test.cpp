// Valid and invalid ballots: the regulation's provisions on ballots (244-QD/TW art. 17.2, kept by
// 190-QD/TW). docs/rules.md "Valid and invalid ballots".

#include <catch2/catch.hpp>

#include "contest_fixture.hpp"
#include "tally/ballot_check.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

namespace {
constexpr std::uint32_t U = kUnknownCandidate;
}

TEST_CASE(
    "ballots are classified by the regulation's rules on valid and invalid ballots (regulation on "
    "ballots)",
    "[tally][ballot]") {
  // 3 seats, 5 candidates: a list with a surplus.
  const Contest c = make_contest(3, 5, 100);
  struct Row {
    std::vector<std::uint32_t> marks;
    BallotVerdict verdict;
  };
  auto [marks, verdict] = GENERATE(values<Row>({
      {{0, 1, 2}, BallotVerdict::valid},  // as many marks as seats
      {{4}, BallotVerdict::valid},        // under-voting is valid
      {{0, 1}, BallotVerdict::valid},
      {{0, 1, 2, 3}, BallotVerdict::too_many_marks},  // more marks than seats
      {{0, 1, 2, 3, 4}, BallotVerdict::too_many_marks},
      {{}, BallotVerdict::all_crossed_out},        // every name crossed out, list has a surplus
      {{0, U}, BallotVerdict::unknown_candidate},  // a name not on the list
      {{U}, BallotVerdict::unknown_candidate},
      {{7}, BallotVerdict::unknown_candidate},           // an index out of range is not on the list
      {{0, 1, 2, U}, BallotVerdict::unknown_candidate},  // unknown is reported before too many
      {{1, 1}, BallotVerdict::duplicate_mark},  // refused, never counted (contract section 2)
      {{0, 1, 2, 3, 0}, BallotVerdict::duplicate_mark},
  }));
  CAPTURE(marks);
  CHECK(classify_ballot(c, marks) == verdict);
}

TEST_CASE(
    "without a surplus a ballot that agrees with no one is valid and gives no vote (regulation on "
    "ballots)",
    "[tally][ballot]") {
  SECTION("a single candidate with agree or disagree") {
    const Contest c = make_contest(1, 1, 10);
    CHECK(classify_ballot(c, std::vector<std::uint32_t>{}) == BallotVerdict::valid);
    CHECK(classify_ballot(c, std::vector<std::uint32_t>{0}) == BallotVerdict::valid);
    Counter counter(c);
    counter.add(std::vector<std::uint32_t>{});
    counter.add(std::vector<std::uint32_t>{0});
    const Result r = counter.finish();
    CHECK(r.valid == 2);
    CHECK(r.invalid == 0);
    CHECK(r.tally[0].votes == 1);
  }
  SECTION("as many candidates as seats") {
    const Contest c = make_contest(3, 3, 10);
    CHECK(classify_ballot(c, std::vector<std::uint32_t>{}) == BallotVerdict::valid);
  }
  SECTION("as many candidates as official and alternate places") {
    const Contest c = make_contest(2, 3, 10, 0, 1);
    CHECK(classify_ballot(c, std::vector<std::uint32_t>{}) == BallotVerdict::valid);
  }
}

TEST_CASE(
    "a delegate ballot may mark as many candidates as official plus alternate places (regulation "
    "on delegates)",
    "[tally][ballot][alternates]") {
  const Contest c = make_contest(3, 7, 100, 0, 2);
  CHECK(classify_ballot(c, std::vector<std::uint32_t>{0, 1, 2, 3, 4}) == BallotVerdict::valid);
  CHECK(classify_ballot(c, std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5}) ==
        BallotVerdict::too_many_marks);
}

TEST_CASE("classification by candidate id finds unknown and repeated ids (contract section 2)",
          "[tally][ballot]") {
  const Contest c = make_contest(2, 3, 10);
  using V = std::vector<std::string_view>;
  CHECK(classify_ballot_ids(c, V{"c01", "c03"}) == BallotVerdict::valid);
  CHECK(classify_ballot_ids(c, V{"c01", "x"}) == BallotVerdict::unknown_candidate);
  CHECK(classify_ballot_ids(c, V{"x", "x"}) == BallotVerdict::duplicate_mark);
  CHECK(classify_ballot_ids(c, V{"c02", "c02"}) == BallotVerdict::duplicate_mark);
  CHECK(classify_ballot_ids(c, V{}) == BallotVerdict::all_crossed_out);
}

TEST_CASE("verdict codes are stable strings that appear in records", "[tally][ballot]") {
  CHECK(to_string(BallotVerdict::valid) == "valid");
  CHECK(to_string(BallotVerdict::too_many_marks) == "too_many_marks");
  CHECK(to_string(BallotVerdict::unknown_candidate) == "unknown_candidate");
  CHECK(to_string(BallotVerdict::all_crossed_out) == "all_crossed_out");
  CHECK(to_string(BallotVerdict::duplicate_mark) == "duplicate_mark");
  CHECK(static_cast<int>(BallotVerdict::duplicate_mark) == 4);
}

TEST_CASE("the counter counts invalid ballots by reason and refused ones not at all",
          "[tally][counter]") {
  const Contest c = make_contest(2, 4, 20);
  Counter counter(c);
  using M = std::vector<std::uint32_t>;
  CHECK(counter.add(M{0, 1}) == BallotVerdict::valid);
  CHECK(counter.add(M{0}) == BallotVerdict::valid);
  CHECK(counter.add(M{0, 1, 2}) == BallotVerdict::too_many_marks);
  CHECK(counter.add(M{}) == BallotVerdict::all_crossed_out);
  CHECK(counter.add(M{U}) == BallotVerdict::unknown_candidate);
  CHECK(counter.add(M{3, 3}) == BallotVerdict::duplicate_mark);
  const std::vector<std::string_view> ids{"c04", "c03"};
  CHECK(counter.add_ids(ids) == BallotVerdict::valid);
  const Result r = counter.finish();
  CHECK(r.ballots_collected == 6);
  CHECK(r.valid == 3);
  CHECK(r.invalid == 3);
  CHECK(r.invalid_by_reason.of(BallotVerdict::too_many_marks) == 1);
  CHECK(r.invalid_by_reason.of(BallotVerdict::all_crossed_out) == 1);
  CHECK(r.invalid_by_reason.of(BallotVerdict::unknown_candidate) == 1);
  CHECK(r.tally == std::vector<TallyEntry>{{"c01", "Name c01", 2},
                                           {"c02", "Name c02", 1},
                                           {"c03", "Name c03", 1},
                                           {"c04", "Name c04", 1}});
}

TEST_CASE("a counter refuses a contest that cannot be counted", "[tally][contest]") {
  auto [mutate, problem] =
      GENERATE(table<int, ContestProblem>({{0, ContestProblem::no_seats},
                                           {1, ContestProblem::no_candidates},
                                           {2, ContestProblem::duplicate_candidate_id},
                                           {3, ContestProblem::empty_candidate_id},
                                           {4, ContestProblem::excluded_exceeds_convened},
                                           {5, ContestProblem::round_zero},
                                           {6, ContestProblem::round_beyond_limit},
                                           {7, ContestProblem::not_single_seat}}));
  Contest c = make_contest(1, 3, 10);
  switch (mutate) {
    case 0:
      c.seats = 0;
      break;
    case 1:
      c.candidates.clear();
      break;
    case 2:
      c.candidates[2].id = "c01";
      break;
    case 3:
      c.candidates[1].id = "";
      break;
    case 4:
      c.excluded = 11;
      break;
    case 5:
      c.round = 0;
      break;
    case 6:
      c.rule_set = rule_set_cpv_2024_cell_secretary();
      c.round = 4;
      break;
    case 7:
      c.rule_set = rule_set_cpv_2024_cell_secretary();
      c.seats = 2;
      break;
  }
  CHECK(check_contest(c) == problem);
  CHECK_THROWS_AS(Counter(c), std::invalid_argument);
}
