// The streaming counter: ids and indexes count alike, the count's invariants hold in release
// builds, and memory does not depend on the number of ballots.

#include <catch2/catch.hpp>

#include <random>

#include "contest_fixture.hpp"

using namespace tallystation::tally;
using namespace tallystation::tally::test;

TEST_CASE("counting by candidate ids and by indexes gives the same result", "[tally][counter]") {
  std::mt19937 rng(5);
  Contest c = make_contest(3, 7, 50);
  c.candidates.push_back({"a-much-longer-candidate-id-than-eight-bytes", "Long"});
  c.candidates.push_back({"x", "Short"});
  Counter by_index(c);
  Counter by_id(c);
  // Distinct unknown ids: an index cannot tell repeated unknown marks apart (ids can).
  const std::vector<std::string> unknown{"u1", "u2", "u3", "u4", "u5"};
  for (int b = 0; b < 2000; ++b) {
    std::vector<std::uint32_t> marks;
    std::vector<std::string_view> ids;
    const std::size_t k = rng() % 5;
    for (std::size_t i = 0; i < k; ++i) {
      const auto m = static_cast<std::uint32_t>(rng() % (c.candidates.size() + 1));
      if (m == c.candidates.size()) {
        marks.push_back(kUnknownCandidate);
        ids.push_back(unknown[i]);
      } else {
        marks.push_back(m);
        ids.push_back(c.candidates[m].id);
      }
    }
    CHECK(by_index.add(marks) == by_id.add_ids(ids));
  }
  CHECK(by_index.finish() == by_id.finish());
}

TEST_CASE("the candidate index finds every id of the list and nothing else", "[tally][counter]") {
  std::vector<Candidate> list;
  for (int i = 0; i < 500; ++i)
    list.push_back(
        {std::string(static_cast<std::size_t>(i % 13 + 1), 'a') + std::to_string(i), ""});
  list.push_back({"", ""});
  const CandidateIndex index(list);
  for (std::size_t i = 0; i < list.size(); ++i) CHECK(index.find(list[i].id) == i);
  CHECK(index.find("b") == kUnknownCandidate);
  CHECK(index.find("a0 ") == kUnknownCandidate);
  CHECK(index.find("aaaaaaaaaaaaa13") == kUnknownCandidate);
}

TEST_CASE("totals that valid ballots could not have given are refused even in release builds",
          "[tally][counter]") {
  const Contest c = make_contest(2, 3, 10);
  CHECK_THROWS_AS(result_from_totals(c, std::vector<std::uint64_t>{5, 0, 0}, 4, InvalidCounts{}),
                  std::logic_error);
  CHECK_THROWS_AS(result_from_totals(c, std::vector<std::uint64_t>{4, 4, 4}, 4, InvalidCounts{}),
                  std::logic_error);
  CHECK_NOTHROW(result_from_totals(c, std::vector<std::uint64_t>{4, 4, 0}, 4, InvalidCounts{}));
}

TEST_CASE("a counter may be finished at any time and keeps counting after", "[tally][counter]") {
  const Contest c = make_contest(1, 2, 3);
  Counter counter(c);
  counter.add(std::vector<std::uint32_t>{0});
  CHECK(counter.finish().elected.empty());
  counter.add(std::vector<std::uint32_t>{0});
  const Result r = counter.finish();
  CHECK(r.elected == std::vector<std::string>{"c01"});
  CHECK(r.ballots_collected == 2);
  CHECK(counter.ballots_collected() == 2);
}
