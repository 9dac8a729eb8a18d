#pragma once
// The result of counting one contest round: the members of the counting minutes that come from
// the count (contract section 4; `tally-audit recount` prints them, section 5), plus what the
// minutes and the next round need. Plain value type.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tally/ballot_check.hpp"

namespace tallystation::tally {

// Stable values and codes (contract section 4).
enum class Outcome : std::uint8_t {
  complete = 0,   // every official seat filled (alternate places may still be short)
  tie = 1,        // a tie at the last place calls for a run-off among the tied
  unfilled = 2,   // fewer reached the threshold than there are seats
  exhausted = 3,  // the rule set's round limit is reached with the seat(s) still unfilled
};

std::string_view to_string(Outcome outcome);  // "complete", "tie", "unfilled", "exhausted"
// Words for an outcome, in a language, are rendered from the codes: tally/wording.hpp.

struct TallyEntry {
  std::string candidate;  // id
  std::string name;
  std::uint64_t votes = 0;
  friend bool operator==(const TallyEntry&, const TallyEntry&) = default;
};

// Invalid ballots per reason, indexed by BallotVerdict value - 1.
struct InvalidCounts {
  std::array<std::uint64_t, kInvalidReasonCount> by_reason{};
  std::uint64_t of(BallotVerdict v) const {
    return is_invalid(v) ? by_reason[static_cast<std::size_t>(v) - 1] : 0;
  }
  friend bool operator==(const InvalidCounts&, const InvalidCounts&) = default;
};

struct Result {
  std::uint32_t round = 1;
  std::uint64_t ballots_collected = 0;  // valid + invalid
  std::uint64_t valid = 0;
  std::uint64_t invalid = 0;
  std::uint64_t basis = 0;
  std::uint64_t threshold = 0;
  std::vector<TallyEntry> tally;                // votes descending, then candidate id (bytewise)
  std::vector<std::string> elected;             // official places, in tally order
  std::vector<std::string> elected_alternates;  // alternate places, in tally order
  Outcome outcome = Outcome::complete;
  std::vector<std::string> tied;     // the run-off's candidates (outcome tie only), in tally order
  std::uint64_t seats_unfilled = 0;  // official seats this round left unfilled
  std::uint64_t alternates_unfilled = 0;  // alternate places this round left unfilled
  InvalidCounts invalid_by_reason;
  // Outcome exhausted under a rule set whose last round hands the position to the higher
  // committee (Party cell secretary).
  bool appointment_by_higher_committee = false;

  friend bool operator==(const Result&, const Result&) = default;
};

}  // namespace tallystation::tally
