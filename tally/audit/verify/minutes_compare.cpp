#include "tally/audit/verify/minutes_compare.hpp"

#include <algorithm>
#include <iterator>

#include "tally/percent.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::audit::verify {

namespace json = boost::json;

json::array string_array(const std::vector<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.emplace_back(id);
  return out;
}

namespace {

// "tally[3].votes = 3598, the bundle gives 3599": the first place where two values differ, so
// that a long list names the one entry that is wrong.
std::string first_difference(const json::value& got, const json::value& want,
                             const std::string& path) {
  if (got.is_array() && want.is_array() && got.get_array().size() == want.get_array().size()) {
    const json::array& a = got.get_array();
    const json::array& w = want.get_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (json::serialize(a[i]) != json::serialize(w[i])) {
        return first_difference(a[i], w[i], path + "[" + std::to_string(i) + "]");
      }
    }
  }
  if (got.is_object() && want.is_object() && got.get_object().size() == want.get_object().size()) {
    for (const auto& kv : want.get_object()) {
      const json::value* g = got.get_object().if_contains(kv.key());
      if (g == nullptr) break;
      if (json::serialize(*g) != json::serialize(kv.value())) {
        return first_difference(*g, kv.value(), path + "." + std::string(kv.key()));
      }
    }
  }
  return path + " = " + json::serialize(got) + ", the bundle gives " + json::serialize(want);
}

}  // namespace

std::string legacy_outcome_message(const tally::Result& result, std::uint32_t max_rounds) {
  // Frozen: the exact text of tally::outcome_message as stations wrote it into the minutes
  // before the minutes carried codes only. Do not reword, or bundles exported before then stop
  // verifying.
  switch (result.outcome) {
    case tally::Outcome::complete:
      if (result.alternates_unfilled > 0) {
        return "every seat is filled; " + std::to_string(result.alternates_unfilled) +
               " alternate place(s) left unfilled: the congress decides whether to vote again";
      }
      return "every place is filled";
    case tally::Outcome::tie:
      if (result.seats_unfilled > 0) {
        return "a tie at the last seat: a run-off among the " + std::to_string(result.tied.size()) +
               " tied candidates for " + std::to_string(result.seats_unfilled) + " seat(s)";
      }
      return "a tie at the last alternate place: a run-off among the " +
             std::to_string(result.tied.size()) + " tied candidates for " +
             std::to_string(result.alternates_unfilled) + " alternate place(s)";
    case tally::Outcome::unfilled:
      return std::to_string(result.seats_unfilled) +
             " seat(s) unfilled: the congress decides whether to hold another round among the "
             "candidates not yet elected";
    case tally::Outcome::exhausted:
      if (result.appointment_by_higher_committee) {
        return "the round limit of " + std::to_string(max_rounds) +
               " is reached with the position unfilled: it goes to appointment by the directly "
               "higher Party committee";
      }
      return "the round limit of " + std::to_string(max_rounds) + " is reached with " +
             std::to_string(result.seats_unfilled) + " seat(s) unfilled";
  }
  return "";
}

void expect(CheckBuilder& b, const json::object& m, std::string_view key, const json::value& want) {
  const json::value* got = m.if_contains(key);
  if (got == nullptr) {
    b.fail("minutes lack \"" + std::string(key) + "\" (expected " + json::serialize(want) + ")");
  } else if (json::serialize(*got) != json::serialize(want)) {
    b.fail("minutes say " + first_difference(*got, want, std::string(key)));
  } else {
    b.pass();
  }
}

void compare_count(const tally::Contest& c, const tally::Result& r, const json::object& m,
                   const congress::ContestState& p, CheckBuilder& b) {
  json::array tally;
  json::object percent;
  for (const tally::TallyEntry& e : r.tally) {
    tally.push_back(json::object{{"candidate", e.candidate}, {"name", e.name}, {"votes", e.votes}});
    percent[e.candidate] = tally::percent_of(e.votes, r.basis);
  }
  json::object invalid;
  for (auto v : {tally::BallotVerdict::too_many_marks, tally::BallotVerdict::unknown_candidate,
                 tally::BallotVerdict::all_crossed_out}) {
    invalid[tally::to_string(v)] = r.invalid_by_reason.of(v);
  }
  expect(b, m, "basis", r.basis);
  expect(b, m, "threshold", r.threshold);
  expect(b, m, "ballots_collected", r.ballots_collected);
  expect(b, m, "valid", r.valid);
  expect(b, m, "invalid", r.invalid);
  expect(b, m, "tally", tally);
  expect(b, m, "elected", string_array(r.elected));
  expect(b, m, "elected_alternates", string_array(r.elected_alternates));
  expect(b, m, "outcome", json::string(tally::to_string(r.outcome)));
  expect(b, m, "tied", string_array(r.tied));
  expect(b, m, "seats_unfilled", r.seats_unfilled);
  expect(b, m, "alternates_unfilled", r.alternates_unfilled);
  expect(b, m, "invalid_by_reason", invalid);
  expect(b, m, "percent_of_basis", percent);
  // Minutes signed before they carried codes only held the outcome as an English sentence as well.
  // Such a bundle still verifies if the sentence is exactly the one those stations wrote for this
  // count; new minutes never carry it (docs/audit.md "Minutes exported before codes only").
  if (m.contains("outcome_message")) {
    expect(b, m, "outcome_message", json::string(legacy_outcome_message(r, c.rule_set.max_rounds)));
    b.set_note("legacy member outcome_message (minutes written before codes only) checked");
  }
  expect(b, m, "elected_so_far", string_array(p.elected));
  expect(b, m, "elected_alternates_so_far", string_array(p.elected_alternates));
}

void compare_facts(const RoundJob& job, const RoundFacts& f, const congress::RoundState& closed,
                   const BoxScan& box, const TokenSet& tokens, const json::object& m,
                   Report& report, const std::string& scope) {
  const ContestDef& def = *job.contest;
  CheckBuilder root("box root", scope);
  expect(root, m, "ballot_box",
         json::object{{"size", box.size}, {"root", crypto::to_hex(box.root)}});
  root.set_note("RFC 6962 root over " + std::to_string(box.size) + " ballots");
  report.add(root.done());

  CheckBuilder tok("token root", scope);
  expect(tok, m, "ballots_issued", f.tokens_issued);
  expect(tok, m, "tokens",
         json::object{{"issued", f.tokens_issued}, {"root", crypto::to_hex(tokens.root)}});
  report.add(tok.done());

  CheckBuilder facts("minutes facts", scope);
  expect(facts, m, "session", json::string(job.session->id));
  expect(facts, m, "contest", json::string(def.id));
  expect(facts, m, "round", job.round);
  expect(facts, m, "title", json::string(def.title));
  expect(
      facts, m, "rule_set",
      json::string(tally::find_rule_set(def.rule_set).value_or(tally::rule_set_cpv_2024()).name));
  expect(facts, m, "majority_basis", json::string(def.majority_basis));
  expect(facts, m, "convened", job.session->convened);
  // As the round was counted: the contest's `excluded` and the attendance last recorded, or with
  // a register the roll's figures when the round closed (the replayed state).
  expect(facts, m, "excluded", closed.excluded);
  expect(facts, m, "present", closed.present ? json::value(*closed.present) : json::value(nullptr));
  expect(facts, m, "config_hash", json::string(job.session->config_hash));
  expect(facts, m, "audit_log_head", json::string(f.log_head_before_close));
  if (!def.elect_from.empty()) expect(facts, m, "elect_from", json::string(def.elect_from));
  // Every member is one the verifier checked: an unchecked extra could say anything.
  static const char* const kChecked[] = {"session",
                                         "contest",
                                         "round",
                                         "title",
                                         "seats",
                                         "rule_set",
                                         "majority_basis",
                                         "basis",
                                         "threshold",
                                         "convened",
                                         "excluded",
                                         "present",
                                         "ballots_issued",
                                         "ballots_collected",
                                         "valid",
                                         "invalid",
                                         "tally",
                                         "elected",
                                         "elected_alternates",
                                         "outcome",
                                         "tied",
                                         "seats_unfilled",
                                         "ballot_box",
                                         "config_hash",
                                         "audit_log_head",
                                         "alternates",
                                         "alternates_only",
                                         "alternates_unfilled",
                                         "invalid_by_reason",
                                         "percent_of_basis",
                                         "outcome_message",  // legacy: checked by recount
                                         "next_step",
                                         "elected_so_far",
                                         "elected_alternates_so_far",
                                         "tokens"};
  for (const auto& kv : m) {
    const std::string_view key = kv.key();
    // With a register the people members are checked by "attendance" and "composition"; without
    // one the minutes must not carry them.
    const bool people = job.session->rules.people.has_value();
    const bool known =
        std::find(std::begin(kChecked), std::end(kChecked), key) != std::end(kChecked) ||
        (key == "elect_from" && !def.elect_from.empty()) ||
        (people && (key == "attendance" || key == "composition"));
    if (!known) facts.fail("minutes carry an unknown member \"" + std::string(key) + "\"");
  }
  report.add(facts.done());
}

}  // namespace tallystation::audit::verify
