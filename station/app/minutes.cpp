#include "station/app/minutes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "crypto/merkle.hpp"
#include "station/app/messages.hpp"
#include "tally/counter.hpp"
#include "tally/majority.hpp"
#include "tally/percent.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

std::optional<std::uint32_t> small_count(const json::value* v) {
  if (v == nullptr || !v->is_int64() || v->get_int64() < 0 || v->get_int64() > 1'000'000) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(v->get_int64());
}


}  // namespace

json::array string_array(const std::vector<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.emplace_back(id);
  return out;
}

RoundBallot first_round_ballot(const ContestDef& contest) {
  return RoundBallot{contest.seats, contest.alternates, false, contest.candidates};
}

std::string to_json(const RoundBallot& ballot) {
  json::array candidates;
  for (const Candidate& c : ballot.candidates) {
    candidates.push_back(json::object{{"id", c.id}, {"name", c.name}});
  }
  return json::serialize(json::object{{"seats", ballot.seats},
                                      {"alternates", ballot.alternates},
                                      {"alternates_only", ballot.alternates_only},
                                      {"candidates", std::move(candidates)}});
}

std::optional<RoundBallot> parse_round_ballot(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  if (o.size() != 4) return std::nullopt;
  RoundBallot b;
  auto seats = small_count(o.if_contains("seats"));
  auto alternates = small_count(o.if_contains("alternates"));
  const json::value* only = o.if_contains("alternates_only");
  const json::value* candidates = o.if_contains("candidates");
  if (!seats || !alternates || only == nullptr || !only->is_bool() || candidates == nullptr ||
      !candidates->is_array()) {
    return std::nullopt;
  }
  b.seats = *seats;
  b.alternates = *alternates;
  b.alternates_only = only->get_bool();
  for (const json::value& c : candidates->get_array()) {
    if (!c.is_object() || c.get_object().size() != 2) return std::nullopt;
    const json::value* id = c.get_object().if_contains("id");
    const json::value* name = c.get_object().if_contains("name");
    if (id == nullptr || name == nullptr || !id->is_string() || !name->is_string()) {
      return std::nullopt;
    }
    b.candidates.push_back(
        Candidate{std::string(id->get_string()), std::string(name->get_string())});
  }
  return b;
}

tally::Contest tally_contest(const MinutesFacts& facts) {
  congress::SessionRules session;
  session.convened = facts.convened;
  return congress::round_contest(session, contest_rules(*facts.contest), facts.round, facts.ballot,
                                 facts.present, facts.excluded.value_or(facts.contest->excluded));
}

void BoxCounter::add(std::string_view payload) {
  auto ballot = parse_ballot_payload(payload);
  if (!ballot) throw std::runtime_error("a stored ballot does not parse: " + ballot.error().message);
  marks_.assign(ballot->marks.begin(), ballot->marks.end());
  counter_.add_ids(marks_);
}

tally::Result count_box(const tally::Contest& contest, std::span<const std::string> box_payloads) {
  BoxCounter counter(contest);  // throws if the round cannot be counted: a caller's bug
  for (const std::string& payload : box_payloads) counter.add(payload);
  return counter.finish();
}

crypto::Digest tokens_root(std::span<const crypto::Digest> sorted_token_hashes) {
  std::vector<crypto::Digest> leaves;
  leaves.reserve(sorted_token_hashes.size());
  for (const crypto::Digest& h : sorted_token_hashes) {
    leaves.push_back(crypto::leaf_hash(
        std::string_view(reinterpret_cast<const char*>(h.data()), h.size())));
  }
  return crypto::merkle_root(leaves);
}

Minutes make_minutes(const MinutesFacts& facts, std::span<const std::string> box_payloads) {
  const tally::Contest contest = tally_contest(facts);
  Minutes m;
  m.result = count_box(contest, box_payloads);
  m.after = facts.before;
  congress::record_count(m.after, facts.round, facts.ballot, contest, m.result);
  m.next = *m.after.last_next;
  m.payload = minutes_payload(facts, box_payloads.size(), m.result, m.next, m.after);
  return m;
}

std::string minutes_payload(const MinutesFacts& facts, std::uint64_t box_size,
                            const tally::Result& r, const tally::FurtherRound& next,
                            const congress::ContestState& after) {
  const ContestDef& def = *facts.contest;
  const tally::Contest contest = tally_contest(facts);
  json::array tally;
  json::object percent;
  for (const tally::TallyEntry& e : r.tally) {
    tally.push_back(json::object{{"candidate", e.candidate}, {"name", e.name}, {"votes", e.votes}});
    percent[e.candidate] = tally::percent_of(e.votes, r.basis);
  }
  json::value present = nullptr;
  if (facts.present) present = *facts.present;
  json::object invalid_by_reason;
  for (auto v : {tally::BallotVerdict::too_many_marks, tally::BallotVerdict::unknown_candidate,
                 tally::BallotVerdict::all_crossed_out}) {
    invalid_by_reason[tally::to_string(v)] = r.invalid_by_reason.of(v);
  }
  // CONTRACT.md section 4, in its order; then the station's documented extras
  // (docs/protocol.md "Results").
  json::object o{
      {"session", facts.session_id},
      {"contest", def.id},
      {"round", facts.round},
      {"title", def.title},
      {"seats", facts.ballot.seats},
      {"rule_set", contest.rule_set.name},
      {"majority_basis", tally::to_string(contest.majority_basis)},
      {"basis", r.basis},
      {"threshold", r.threshold},
      {"convened", facts.convened},
      {"excluded", facts.excluded.value_or(def.excluded)},
      {"present", present},
      {"ballots_issued", facts.ballots_issued},
      {"ballots_collected", r.ballots_collected},
      {"valid", r.valid},
      {"invalid", r.invalid},
      {"tally", std::move(tally)},
      {"elected", string_array(r.elected)},
      {"elected_alternates", string_array(r.elected_alternates)},
      {"outcome", tally::to_string(r.outcome)},
      {"tied", string_array(r.tied)},
      {"seats_unfilled", r.seats_unfilled},
      {"ballot_box", json::object{{"size", box_size}, {"root", facts.box_root}}},
      {"config_hash", facts.config_hash},
      {"audit_log_head", facts.audit_log_head},
      // Extras.
      {"alternates", facts.ballot.alternates},
      {"alternates_only", facts.ballot.alternates_only},
      {"alternates_unfilled", r.alternates_unfilled},
      {"invalid_by_reason", std::move(invalid_by_reason)},
      {"percent_of_basis", std::move(percent)},
      {"next_step", json::object{{"step", tally::to_string(next.step)},
                                 {"round", next.round},
                                 {"seats", next.seats},
                                 {"alternates", next.alternates},
                                 {"alternates_only", next.alternates_only},
                                 {"eligible", string_array(next.eligible)},
                                 {"congress_decides", next.congress_decides},
                                 {"new_nominations_allowed", next.new_nominations_allowed}}},
      {"elected_so_far", string_array(after.elected)},
      {"elected_alternates_so_far", string_array(after.elected_alternates)},
  };
  if (!facts.elect_from.empty()) o["elect_from"] = facts.elect_from;
  if (!facts.tokens_root.empty()) {
    o["tokens"] = json::object{{"issued", facts.ballots_issued}, {"root", facts.tokens_root}};
  }
  if (!facts.people.attendance.empty()) o["attendance"] = json::parse(facts.people.attendance);
  if (!facts.people.composition.empty()) o["composition"] = json::parse(facts.people.composition);
  return json::serialize(o);
}

}  // namespace tallystation::station
