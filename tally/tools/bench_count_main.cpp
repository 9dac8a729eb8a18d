// tally-bench-count: times the two halves of a recount separately: parsing the ballots file
// (already in memory) into candidate indexes, and counting those ballots with tally::Counter.
// Prints "key value" lines for scripts/bench. Usage: tally-bench-count CONTEST BALLOTS [REPEAT]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tally/audit/ballot_parser.hpp"
#include "tally/audit/contest_file.hpp"
#include "tally/counter.hpp"

using namespace tallystation;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tally-bench-count CONTEST BALLOTS [REPEAT]\n";
    return 2;
  }
  const int repeat = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  auto cf = audit::read_contest_file(argv[1]);
  if (!cf) {
    std::cerr << cf.error().to_string() << "\n";
    return 2;
  }
  const tally::Contest contest = cf->contest;
  std::ifstream in(argv[2], std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  using clock = std::chrono::steady_clock;
  // Parse: lines to flat marks.
  tally::CandidateIndex index(contest.candidates);
  audit::BallotParser parser(index);
  audit::BallotFields fields;
  std::vector<std::uint32_t> marks;
  std::vector<std::size_t> starts{0};
  marks.reserve(data.size() / 6);
  const auto p0 = clock::now();
  std::size_t pos = 0;
  while (pos < data.size()) {
    const char* nl =
        static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
    const std::size_t end = nl ? static_cast<std::size_t>(nl - data.data()) : data.size();
    if (!parser.parse(std::string_view(data).substr(pos, end - pos), fields)) {
      std::cerr << "parse error: " << parser.error() << "\n";
      return 2;
    }
    marks.insert(marks.end(), fields.marks.begin(), fields.marks.end());
    starts.push_back(marks.size());
    pos = end + 1;
  }
  const auto p1 = clock::now();
  const double parse_s = std::chrono::duration<double>(p1 - p0).count();

  // Count: best of `repeat`.
  double best = 1e30;
  double best_cpu = 1e30;
  tally::Result result;
  for (int rep = 0; rep < repeat; ++rep) {
    const std::clock_t k0 = std::clock();
    const auto c0 = clock::now();
    tally::Counter counter(contest);
    const std::span<const std::uint32_t> all(marks);
    for (std::size_t b = 0; b + 1 < starts.size(); ++b) {
      counter.add(all.subspan(starts[b], starts[b + 1] - starts[b]));
    }
    result = counter.finish();
    const auto c1 = clock::now();
    const std::clock_t k1 = std::clock();
    best = std::min(best, std::chrono::duration<double>(c1 - c0).count());
    best_cpu = std::min(best_cpu, static_cast<double>(k1 - k0) / CLOCKS_PER_SEC);
  }
  std::printf(
      "ballots %zu\nbytes %zu\nmarks %zu\nparse_seconds %.4f\nparse_mb_s %.1f\n"
      "count_seconds %.4f\ncount_cpu_seconds %.4f\nvalid %llu\ninvalid %llu\n",
      starts.size() - 1, data.size(), marks.size(), parse_s,
      parse_s > 0 ? static_cast<double>(data.size()) / parse_s / 1e6 : 0.0, best, best_cpu,
      static_cast<unsigned long long>(result.valid),
      static_cast<unsigned long long>(result.invalid));
  return 0;
}
