// Fuzz target: tally-audit's ballots-file reader, audit::BallotStream with its BallotParser
// (tally/audit/recount.hpp, ballot_parser.hpp), as `tally-audit recount` streams a ballots file
// (one ballot payload per line) into the counter.
//
// Input: byte 0 picks the contest (the test data's basic, delegates or secretary contest file),
// byte 1 a chunk size (1..256); the rest is the ballots file.
// Invariant: the outcome does not depend on how the file arrives: fed whole and fed in chunks, the
// stream fails or succeeds alike, with the same error (file, line, message) or the same result
// (recount_json).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "tally/audit/contest_file.hpp"
#include "tally/audit/recount.hpp"

using namespace tallystation;

namespace {

struct Outcome {
  bool ok = false;
  std::string text;  // the result's JSON, or the error
};

Outcome run(const audit::ContestFile& contest, std::string_view file, std::size_t chunk) {
  audit::BallotStream stream(contest, "ballots.jsonl");
  bool ok = true;
  for (std::size_t at = 0; ok && at < file.size(); at += chunk) {
    ok = stream.feed(file.substr(at, chunk));
  }
  if (ok) ok = stream.finish();
  if (!ok) return {false, stream.error().to_string()};
  return {true, audit::recount_json(stream.result())};
}

std::vector<audit::ContestFile> load_contests() {
  std::vector<audit::ContestFile> out;
  for (const char* name : {"basic", "delegates", "secretary"}) {
    const std::string rel = std::string("tests/tally/data/") + name + ".contest.json";
    auto c = audit::parse_contest(fuzz::source_file(rel.c_str()), rel);
    if (!c) std::abort();
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<audit::ContestFile> contests = load_contests();
  if (size < 2) return 0;
  const audit::ContestFile& contest = contests[data[0] % contests.size()];
  const std::size_t chunk = std::size_t{data[1]} + 1;
  const std::string_view file = fuzz::as_view(data + 2, size - 2);
  const Outcome whole = run(contest, file, std::max<std::size_t>(file.size(), 1));
  const Outcome chunked = run(contest, file, chunk);
  FUZZ_CHECK(whole.ok == chunked.ok);
  FUZZ_CHECK(whole.text == chunked.text);
  return 0;
}
