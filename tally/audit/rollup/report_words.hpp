#pragma once
// Every word of the season report's HTML page (docs/audit.md "The season report", `report.html`),
// in English and Vietnamese, in one table (report_words.cpp): the report's data carry codes, and
// the words are chosen here, at the edge. Constant data; thread safe.
#include <cstdint>
#include <optional>
#include <string_view>

namespace tallystation::audit::rollup {

enum class Lang : std::uint8_t { en, vi };

// "en" or "vi"; nullopt for anything else.
std::optional<Lang> parse_lang(std::string_view code);
std::string_view to_string(Lang lang);

// The word for `key` in `lang`: a page label, an office of figures.hpp kOffices, a unit status
// (`held`, `missing`, `excluded`, `conflict`) or a figure's name. Throws std::out_of_range for a
// key the table does not have (a programming error, caught by the tests).
std::string_view word(Lang lang, std::string_view key);

}  // namespace tallystation::audit::rollup
