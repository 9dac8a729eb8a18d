#pragma once
// Words for the outcome codes of the counting minutes, rendered where they are shown: the signed
// minutes carry codes and numbers only (CONTRACT.md section 0; docs/protocol.md "Results" lists
// every code), and whoever displays them (stationctl, the hall display, printed minutes) renders
// the sentence in the reader's language from those members. Pure functions; thread safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::tally {

// Stable values and codes (ISO 639-1).
enum class Language : std::uint8_t {
  en = 0,  // English
  vi = 1,  // Vietnamese (tiếng Việt)
};

inline constexpr Language kLanguages[] = {Language::en, Language::vi};

std::string_view to_string(Language language);  // "en", "vi"
std::optional<Language> parse_language(std::string_view code);

// The minutes' codes back to values: nullopt for a code this build does not know.
std::optional<Outcome> parse_outcome(std::string_view code);
std::optional<NextStep> parse_next_step(std::string_view code);

// The members of the minutes that the outcome sentence is rendered from, all in the signed
// payload: `outcome`, `next_step.step`, `round`, `seats_unfilled`, `alternates_unfilled` and the
// length of `tied`.
struct OutcomeFacts {
  Outcome outcome = Outcome::complete;
  // Tells the two ends of an exhausted contest apart: appointment by the directly higher
  // committee, or closed (docs/rules.md "Round limits"). Not used for the other outcomes.
  NextStep next_step = NextStep::none;
  // The round counted. An exhausted outcome only ever comes from the rule set's last allowed
  // round (a round past the limit cannot be counted), so then it is also the round limit.
  std::uint32_t round = 1;
  std::uint64_t seats_unfilled = 0;
  std::uint64_t alternates_unfilled = 0;
  std::uint64_t tied = 0;  // how many candidates are tied
};

// The facts of a counted round and the step that follows it (tally::further_round).
OutcomeFacts outcome_facts(const Result& result, const FurtherRound& next);

// One sentence, without a final full stop, e.g. "Every place is filled" / "Đã bầu đủ số lượng".
// Total: every combination of codes gives a sentence (an exhausted outcome with a next step
// other than appointment reads as closed).
std::string render_outcome(const OutcomeFacts& facts, Language language);

}  // namespace tallystation::tally
