#include "tally/majority.hpp"

namespace tallystation::tally {

std::string_view to_string(MajorityBasis basis) {
  switch (basis) {
    case MajorityBasis::convened:
      return "convened";
    case MajorityBasis::present:
      return "present";
    case MajorityBasis::ballots_collected:
      return "ballots_collected";
    case MajorityBasis::valid_ballots:
      return "valid_ballots";
  }
  return "convened";
}

std::optional<MajorityBasis> parse_majority_basis(std::string_view text) {
  for (auto b : {MajorityBasis::convened, MajorityBasis::present, MajorityBasis::ballots_collected,
                 MajorityBasis::valid_ballots}) {
    if (to_string(b) == text) return b;
  }
  return std::nullopt;
}

std::uint64_t basis_value(MajorityBasis basis, const BasisCounts& counts) {
  switch (basis) {
    case MajorityBasis::convened:
      // Guarded by check_contest; saturate rather than wrap if a caller skipped it.
      return counts.excluded <= counts.convened ? counts.convened - counts.excluded : 0;
    case MajorityBasis::present:
      return counts.present;
    case MajorityBasis::ballots_collected:
      return counts.ballots_collected;
    case MajorityBasis::valid_ballots:
      return counts.valid;
  }
  return 0;
}

}  // namespace tallystation::tally
