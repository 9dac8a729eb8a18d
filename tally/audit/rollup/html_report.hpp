#pragma once
// The season report as one self-contained, printable HTML page (docs/audit.md "The season
// report", `report.html`): the figures of report.json, in English or Vietnamese (every word from
// report_words.cpp), with bar charts as inline SVG. No script, no external resource; every string
// from a bundle or the roster is HTML-escaped. Pure; thread safe.
#include <string>
#include <string_view>

#include "tally/audit/rollup/report_words.hpp"
#include "tally/audit/rollup/roster.hpp"
#include "tally/audit/rollup/season.hpp"

namespace tallystation::audit::rollup {

// `&`, `<`, `>`, `"` and `'` as character references; everything else as it is.
std::string html_escape(std::string_view s);

// `generated` is shown as the time of the report, as given.
std::string render_html(const Season& s, const Roster& roster, Lang lang,
                        const std::string& generated);

}  // namespace tallystation::audit::rollup
