#include "tally/rule_set.hpp"

#include <array>

namespace tallystation::tally {

RuleSet rule_set_cpv_2024() {
  return RuleSet{std::string(kRuleSetCpv2024), 0, false, false, 2, 3};
}

RuleSet rule_set_cpv_2024_cell_secretary() {
  // The regulation's provisions on electing a Party cell secretary: when a third round still
  // elects no one, the directly higher committee appoints (docs/rules.md, "Round limits").
  return RuleSet{std::string(kRuleSetCpv2024CellSecretary), 3, true, true, 2, 3};
}

namespace {
constexpr std::array<std::string_view, 2> kNames = {kRuleSetCpv2024, kRuleSetCpv2024CellSecretary};
}

std::optional<RuleSet> find_rule_set(std::string_view name) {
  if (name == kRuleSetCpv2024) return rule_set_cpv_2024();
  if (name == kRuleSetCpv2024CellSecretary) return rule_set_cpv_2024_cell_secretary();
  return std::nullopt;
}

std::span<const std::string_view> rule_set_names() {
  return kNames;
}

}  // namespace tallystation::tally
