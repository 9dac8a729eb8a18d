// Fuzz target: tally-audit's contest file reader, audit::parse_contest (tally/audit/contest_file.hpp),
// as `tally-audit recount` reads the contest definition.
// Invariants: an error names the file; an accepted contest's candidate ids are unique and non-empty,
// and a counter can be built over it (tally::Counter throws only for a contest check_contest
// refuses, which the reader must not accept).
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_util.hpp"
#include "tally/audit/contest_file.hpp"
#include "tally/contest.hpp"
#include "tally/counter.hpp"

using namespace tallystation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto c = audit::parse_contest(fuzz::as_view(data, size), "contest.json");
  if (!c) {
    FUZZ_CHECK(c.error().file == "contest.json");
    FUZZ_CHECK(!c.error().message.empty());
    return 0;
  }
  std::set<std::string> ids;
  for (const auto& cand : c->contest.candidates) {
    FUZZ_CHECK(!cand.id.empty());
    FUZZ_CHECK(ids.insert(cand.id).second);
  }
  if (tally::check_contest(c->contest) == tally::ContestProblem::none) {
    const tally::Counter counter(c->contest);
    (void)counter.finish();
  }
  return 0;
}
