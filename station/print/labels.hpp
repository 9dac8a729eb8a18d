#pragma once
// The words of the printed documents, in English and Vietnamese: one table of strings
// (labels.cpp), so that a translation is reviewed in one place. Codes of the signed records
// (bases, absence categories, invalid reasons) are worded here too; an unknown code is printed as
// it is. Internal to tallystation_print; constant data, thread safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tally/wording.hpp"

namespace tallystation::station::print {

enum class Label : std::uint8_t {
  minutes_title,
  session,
  contest,
  round,
  title,
  rule_set,
  majority_basis,
  basis,
  threshold,
  seats,
  alternates,
  counts,
  convened,
  excluded,
  present,
  not_recorded,
  ballots_issued,
  ballots_collected,
  valid,
  invalid,
  invalid_too_many_marks,
  invalid_unknown_candidate,
  invalid_all_crossed_out,
  tally,
  col_rank,
  col_candidate,
  col_name,
  col_votes,
  col_percent,
  col_result,
  mark_elected,
  mark_alternate,
  mark_tied,
  outcome,
  next_step,
  elected,
  elected_alternates,
  elected_so_far,
  elected_alternates_so_far,
  nobody,
  step_none,
  step_runoff,
  step_further_round,
  new_nominations,
  step_appointment,
  step_closed,
  among,
  ballot_box,
  box_size,
  box_root,
  box_qr,
  config_hash,
  log_head,
  tokens_root,
  certification,
  certified,
  not_certified,
  station_signed,
  station_not_signed,
  signed_by,
  committee,
  signature_hint,
  roll,
  absent_prefix,
  quorum_base,
  quorum_required,
  quorum_held,
  yes,
  no,
  composition,
  office,
  col_count,
  elected_count,
  mean_age,
  directly_elected,
  plan_planned,
  plan_not_elected,
  plan_outside,
  copy_page,
  slip_heading,
  slip_round,
  slip_hint,
  slips_title,
  count_  // the number of labels, not a label
};

std::string_view label(Label l, tally::Language language);

// `text` with each "{name}" replaced by its value.
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values);

// Words for the codes the minutes carry, or the code itself if this build does not know it.
std::string basis_words(std::string_view code, tally::Language language);
std::string absence_words(std::string_view category, tally::Language language);
std::string composition_words(std::string_view member, tally::Language language);

}  // namespace tallystation::station::print
