#pragma once
// Builders for test contests: candidates "c01".."cNN" in ballot order.

#include <algorithm>
#include <string>
#include <vector>

#include "tally/contest.hpp"
#include "tally/counter.hpp"

namespace tallystation::tally::test {

inline std::string cid(std::size_t i) {
  const std::string n = std::to_string(i + 1);
  return "c" + (n.size() < 2 ? "0" + n : n);
}

inline Contest make_contest(std::uint32_t seats, std::size_t candidates, std::uint64_t convened,
                            std::uint64_t excluded = 0, std::uint32_t alternates = 0) {
  Contest c;
  c.id = "test";
  c.title = "test contest";
  c.seats = seats;
  c.alternates = alternates;
  for (std::size_t i = 0; i < candidates; ++i) c.candidates.push_back({cid(i), "Name " + cid(i)});
  c.convened = convened;
  c.excluded = excluded;
  c.present = convened;
  return c;
}

// The result for given vote totals (by candidate index) and a number of valid ballots. Tables of
// decisions give totals only: `valid` is raised to the least number of ballots that could have
// given them (the engine checks that), which changes nothing on the bases convened and present.
inline Result result_for(const Contest& c, std::vector<std::uint64_t> votes, std::uint64_t valid) {
  std::uint64_t total = 0;
  for (auto v : votes) {
    total += v;
    valid = std::max(valid, v);
  }
  valid = std::max(valid, (total + c.places() - 1) / c.places());
  return result_from_totals(c, votes, valid, InvalidCounts{});
}

}  // namespace tallystation::tally::test
