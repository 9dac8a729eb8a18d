#pragma once
// The majority rule: which count a contest's threshold is taken from, and the threshold itself.
// Rules and sources: docs/rules.md, "Threshold" and "Bases".
// Pure functions and a plain enum; safe to use from any thread.

#include <cstdint>
#include <optional>
#include <string_view>

namespace tallystation::tally {

// The count that "more than half" is taken of. `convened` is the Party Statute's basis (art. 12.3):
// delegates convened at a delegate congress, official members at a member congress or Party cell,
// less the categories the regulation excludes. The others serve other bodies and cross-checks.
// Stable values: they appear in signed result records as strings (contract section 4).
enum class MajorityBasis : std::uint8_t {
  convened = 0,
  present = 1,
  ballots_collected = 2,
  valid_ballots = 3,
};

// "convened", "present", "ballots_collected", "valid_ballots".
std::string_view to_string(MajorityBasis basis);
std::optional<MajorityBasis> parse_majority_basis(std::string_view text);

// The counts any basis may be taken from.
struct BasisCounts {
  std::uint64_t convened = 0;
  std::uint64_t excluded = 0;  // subtracted from `convened` only
  std::uint64_t present = 0;
  std::uint64_t ballots_collected = 0;
  std::uint64_t valid = 0;
};

// The basis value: `convened - excluded` for `convened` (precondition: excluded <= convened),
// else the named count.
std::uint64_t basis_value(MajorityBasis basis, const BasisCounts& counts);

// The least number of votes strictly more than half of `basis`: floor(basis / 2) + 1.
// Statute art. 12.3: "phải được quá một nửa" (more than half). Basis 10 -> 6; basis 11 -> 6.
constexpr std::uint64_t threshold_for(std::uint64_t basis) {
  return basis / 2 + 1;
}

}  // namespace tallystation::tally
