#pragma once
// A rule set: the named variant of the counting rules a contest follows. Rules and sources:
// docs/rules.md. Plain value type; the built-in sets are immutable and safe from any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tallystation::tally {

struct RuleSet {
  std::string name;
  // Rounds a contest may hold; 0 means the rule set sets no limit (the congress decides).
  std::uint32_t max_rounds = 0;
  // After the last allowed round with the seat still unfilled, the position goes to appointment
  // by the directly higher Party committee (Party cell secretary).
  bool appointment_when_exhausted = false;
  // The contest elects exactly one person (seats == 1, no alternates).
  bool single_seat = false;
  // Quorum: at least quorum_numerator / quorum_denominator of those convened (less the
  // categories docs/rules.md "Quorum" names) present before a round may open.
  std::uint32_t quorum_numerator = 2;
  std::uint32_t quorum_denominator = 3;
};

inline constexpr std::string_view kRuleSetCpv2024 = "cpv-2024";
inline constexpr std::string_view kRuleSetCpv2024CellSecretary = "cpv-2024-cell-secretary";

// The default: Statute art. 12.3 and the Quy che bau cu trong Dang issued with 190-QD/TW (2024).
// No round limit.
RuleSet rule_set_cpv_2024();
// The same rules for electing a Party cell secretary: one seat, at most 3 rounds, then
// appointment by the higher committee.
RuleSet rule_set_cpv_2024_cell_secretary();

// The built-in rule set of that name, or nullopt.
std::optional<RuleSet> find_rule_set(std::string_view name);
// Names of the built-in rule sets, default first.
std::span<const std::string_view> rule_set_names();

}  // namespace tallystation::tally
