#pragma once
// The words of stationctl's tables and reports (tables.cpp, people_tables.cpp), in English and
// Vietnamese: one table of strings (words.cpp), so that a translation is reviewed in one place.
// The Vietnamese terms are those of the printed minutes (station/print/labels.cpp). Codes the
// station serves (states, outcomes, bases, absence categories, offices) are worded here too.
// Internal to tallystation_ctl; constant data, thread safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "tally/wording.hpp"

namespace tallystation::station::ctl {

// A label, a column header or a line with "{name}" slots for fill().
enum class Word : std::uint8_t {
  yes,
  no,
  none,
  none_in_brackets,
  // status
  status_session,
  status_config_hash,
  status_command_log,
  col_terminal,
  col_state,
  col_contest,
  col_round,
  col_seats,
  col_tokens,
  col_ballots,
  col_box_root,
  col_minutes,
  col_title,
  col_elected,
  not_started,
  certified,
  not_certified,
  // minutes
  minutes_title,
  minutes_session,
  col_count,
  convened,
  excluded,
  present,
  ballots_issued,
  ballots_collected,
  valid,
  invalid,
  basis,
  threshold,
  seats,
  col_rank,
  col_candidate,
  col_name,
  col_votes,
  col_percent,
  mark_elected,
  mark_alternate,
  outcome_said,
  outcome_code,
  elected,
  elected_alternates,
  tied,
  seats_unfilled,
  elected_so_far,
  next_step,
  next_round,
  ballot_box,
  config_hash,
  log_head,
  certification,
  certified_caps,
  col_member,
  col_signed,
  signed_with_key,
  minutes_certified,
  minutes_not_certified,
  // roll
  congress_of,
  absent_as,
  excluded_from_basis,
  quorum_base,
  quorum_required,
  quorum_held,
  quorum_not_held,
  not_yet_recorded,
  col_person,
  col_presence,
  col_category,
  col_alternate_in_place,
  // eligibility
  contest_office,
  no_eligibility_rule,
  first_day,
  col_rule,
  col_age,
  col_limit,
  col_standing,
  col_eligible,
  re_election,
  first_time,
  not_eligible,
  eligible,
  eligible_by_exception,
  over_the_limit,
  over_re_election_limit,
  over_first_time_limit,
  exception_approved,
  // composition
  no_one_elected_in,
  no_one_elected,
  composition_complete,
  composition_so_far,
  col_percent_share,
  elected_count,
  share_re_elected,
  share_first_time,
  share_women,
  share_under_40,
  share_ethnic_minority,
  share_non_local,
  mean_age,
  directly_elected,
  plan_planned,
  plan_not_elected,
  plan_outside,
  plan_none,
  count_  // the number of words, not a word
};

std::string_view word(Word w, tally::Language language);

// `text` with each "{name}" replaced by its value; the values are not searched for slots.
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values);

// The kinds of code the station serves that have words.
enum class Code : std::uint8_t {
  congress_kind,   // delegates, members
  terminal_state,  // known, enrolled, revoked
  round_state,     // pending, open, closed
  contest_state,   // voting, complete, tie, unfilled, exhausted, concluded
  outcome,         // the minutes' outcome
  next_step,       // the minutes' next_step.step
  presence,        // present, absent, unrecorded
  absence,         // the absence categories (docs/congress.md "The roll's figures")
  basis,           // the majority bases
  office,          // the contests' offices (docs/session.md "Members", `office`)
};

// English: the code itself (the station's codes are English words, and English output stays as
// it always was). Vietnamese: the code's words, or the code itself if this build does not know
// it.
std::string code_words(Code kind, std::string_view code, tally::Language language);

// A JSON value as a cell or in a line: "-" for null or missing, strings as they are, booleans as
// yes or no, arrays joined with ", " ("(none)" when empty), numbers as JSON writes them.
std::string text(const boost::json::value* v, tally::Language language);
std::string text(const boost::json::object& o, std::string_view key, tally::Language language);

}  // namespace tallystation::station::ctl
