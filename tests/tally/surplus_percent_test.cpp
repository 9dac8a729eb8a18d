// The surplus rule (190-QD/TW art. 14.1) and percentages for the minutes.

#include <catch2/catch.hpp>

#include "contest_fixture.hpp"
#include "tally/percent.hpp"
#include "tally/surplus.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

TEST_CASE(
    "a list may hold at most 30 percent more candidates than places unless the contest says "
    "otherwise (190-QD/TW art. 14.1)",
    "[tally][surplus]") {
  auto [places, candidates, pct, verdict, max] =
      GENERATE(table<std::uint64_t, std::uint64_t, std::uint32_t, SurplusVerdict, std::uint64_t>({
          {10, 13, 30, SurplusVerdict::ok, 13},
          {10, 14, 30, SurplusVerdict::too_many, 13},
          {10, 11, 30, SurplusVerdict::ok, 13},
          {10, 10, 30, SurplusVerdict::no_surplus, 13},
          {10, 9, 30, SurplusVerdict::too_few, 13},
          {1, 1, 30, SurplusVerdict::no_surplus, 1},   // one candidate for one post
          {1, 2, 30, SurplusVerdict::too_many, 1},     // 100% surplus
          {3, 4, 30, SurplusVerdict::too_many, 3},     // 33.33% > 30%
          {4, 5, 30, SurplusVerdict::ok, 5},           // 25%
          {13, 16, 30, SurplusVerdict::ok, 16},        // 23.08%
          {13, 17, 30, SurplusVerdict::too_many, 16},  // 30.77%
          {10, 12, 15, SurplusVerdict::too_many, 11},  // 20% > a contest's own 15%
      }));
  CAPTURE(places, candidates, pct);
  const SurplusCheck s = check_surplus(places, candidates, pct);
  CHECK(s.verdict == verdict);
  CHECK(s.max_candidates == max);
}

TEST_CASE("the surplus check of a contest counts official and alternate places",
          "[tally][surplus]") {
  Contest c = make_contest(8, 13, 100, 0, 2);  // 10 places
  CHECK(check_surplus(c).verdict == SurplusVerdict::ok);
  CHECK(check_surplus(c).surplus_percent == "30.00");
  c.max_surplus_percent = 20;
  CHECK(check_surplus(c).verdict == SurplusVerdict::too_many);
}

TEST_CASE("percentages of the basis are exact and rounded half up to two decimals",
          "[tally][percent]") {
  auto [part, whole, text] =
      GENERATE(table<std::uint64_t, std::uint64_t, std::string>({{2, 3, "66.67"},
                                                                 {1, 3, "33.33"},
                                                                 {1, 8, "12.50"},
                                                                 {1, 16, "6.25"},
                                                                 {1, 32, "3.13"},
                                                                 {6, 10, "60.00"},
                                                                 {5, 10, "50.00"},
                                                                 {0, 10, "0.00"},
                                                                 {10, 10, "100.00"},
                                                                 {1, 200000, "0.00"},
                                                                 {1, 20000, "0.01"},
                                                                 {1, 40000, "0.00"},
                                                                 {1, 39999, "0.00"},
                                                                 {3, 40000, "0.01"},
                                                                 {151, 300, "50.33"},
                                                                 {149, 296, "50.34"},
                                                                 {0, 0, "0.00"},
                                                                 {999999, 1000000, "100.00"},
                                                                 {12, 7, "171.43"}}));
  CAPTURE(part, whole);
  CHECK(percent_of(part, whole) == text);
}
