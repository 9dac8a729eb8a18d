// The congress state: queries and the parts of the rules that the station and the auditor share
// outside the command table (docs/congress.md).
#include "tally/congress/congress.hpp"

#include <algorithm>

namespace tallystation::congress {

namespace {

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

const ContestRules* SessionRules::find_contest(std::string_view contest_id) const {
  for (const ContestRules& c : contests) {
    if (c.id == contest_id) return &c;
  }
  return nullptr;
}

bool is_valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(id.front())) return false;
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string_view to_string(Code code) noexcept {
  switch (code) {
    case Code::malformed_command: return "malformed_command";
    case Code::wrong_session: return "wrong_session";
    case Code::seq_not_above: return "seq_not_above";
    case Code::official_not_signer: return "official_not_signer";
    case Code::unknown_command: return "unknown_command";
    case Code::bad_argument: return "bad_argument";
    case Code::unknown_contest: return "unknown_contest";
    case Code::terminal_enrolled: return "terminal_enrolled";
    case Code::terminal_revoked: return "terminal_revoked";
    case Code::terminal_not_enrolled: return "terminal_not_enrolled";
    case Code::key_required: return "key_required";
    case Code::key_invalid: return "key_invalid";
    case Code::key_mismatch: return "key_mismatch";
    case Code::key_in_use: return "key_in_use";
    case Code::round_open: return "round_open";
    case Code::round_not_next: return "round_not_next";
    case Code::round_closed: return "round_closed";
    case Code::round_not_open: return "round_not_open";
    case Code::source_incomplete: return "source_incomplete";
    case Code::no_further_round: return "no_further_round";
    case Code::contest_concluded: return "contest_concluded";
    case Code::places_mismatch: return "places_mismatch";
    case Code::list_not_allowed: return "list_not_allowed";
    case Code::not_eligible: return "not_eligible";
    case Code::runoff_incomplete: return "runoff_incomplete";
    case Code::nomination_stood: return "nomination_stood";
    case Code::duplicate_candidate: return "duplicate_candidate";
    case Code::no_candidates: return "no_candidates";
    case Code::attendance_required: return "attendance_required";
    case Code::conclude_not_allowed: return "conclude_not_allowed";
    case Code::round_cannot_be_counted: return "round_cannot_be_counted";
    case Code::no_register: return "no_register";
    case Code::roll_kept: return "roll_kept";
    case Code::unknown_person: return "unknown_person";
    case Code::already_replaced: return "already_replaced";
    case Code::roll_incomplete: return "roll_incomplete";
    case Code::no_quorum: return "no_quorum";
    case Code::candidate_ineligible: return "candidate_ineligible";
    case Code::exception_not_needed: return "exception_not_needed";
    case Code::exception_recorded: return "exception_recorded";
    case Code::unknown_rule: return "unknown_rule";
  }
  return "bad_argument";
}

std::string_view to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::pending: return "pending";
    case Phase::open: return "open";
    case Phase::closed: return "closed";
  }
  return "pending";
}

const tally::Candidate* RoundBallot::find_candidate(std::string_view id) const {
  for (const tally::Candidate& c : candidates) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool operator==(const RoundBallot& a, const RoundBallot& b) {
  if (a.seats != b.seats || a.alternates != b.alternates ||
      a.alternates_only != b.alternates_only || a.candidates.size() != b.candidates.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.candidates.size(); ++i) {
    if (a.candidates[i].id != b.candidates[i].id || a.candidates[i].name != b.candidates[i].name) {
      return false;
    }
  }
  return true;
}

std::uint32_t ContestState::last_started() const {
  std::uint32_t last = 0;
  for (const auto& [n, r] : rounds) {
    if (r.phase != Phase::pending) last = n;
  }
  return last;
}

std::optional<std::uint32_t> ContestState::open_round() const {
  for (const auto& [n, r] : rounds) {
    if (r.phase == Phase::open) return n;
  }
  return std::nullopt;
}

bool ContestState::complete() const {
  if (concluded) return true;
  if (!last_next) return false;
  const tally::NextStep s = last_next->step;
  return s == tally::NextStep::none || s == tally::NextStep::appointment ||
         s == tally::NextStep::closed;
}

std::string_view ContestState::state() const {
  if (concluded) return "concluded";
  if (!last_next) return "voting";
  switch (last_next->step) {
    case tally::NextStep::none: return "complete";
    case tally::NextStep::runoff: return "tie";
    case tally::NextStep::further_round: return "unfilled";
    case tally::NextStep::appointment:
    case tally::NextStep::closed: return "exhausted";
  }
  return "voting";
}

const ContestState& State::contest(std::string_view id) const {
  return contests.find(id)->second;
}

State initial_state(const SessionRules& session) {
  State s;
  for (const ContestRules& c : session.contests) s.contests.emplace(c.id, ContestState{});
  if (session.people) s.roll = initial_roll(*session.people);
  return s;
}

tally::Contest round_contest(const SessionRules& session, const ContestRules& def,
                             std::uint32_t round, const RoundBallot& ballot,
                             std::optional<std::uint64_t> present, std::uint64_t excluded) {
  tally::Contest c;
  c.id = def.id;
  c.title = def.title;
  c.seats = ballot.seats;
  c.alternates = ballot.alternates;
  c.candidates = ballot.candidates;
  c.rule_set = tally::find_rule_set(def.rule_set).value_or(tally::rule_set_cpv_2024());
  c.majority_basis =
      tally::parse_majority_basis(def.majority_basis).value_or(tally::MajorityBasis::convened);
  c.convened = session.convened;
  c.excluded = excluded;
  c.present = present.value_or(0);
  c.round = round;
  return c;
}

tally::Contest round_contest(const SessionRules& session, const ContestRules& def,
                             std::uint32_t round, const RoundState& closed) {
  return round_contest(session, def, round, *closed.ballot, closed.present, closed.excluded);
}

Attendance roll_attendance(const SessionRules& session, const State& state,
                           std::string_view rule_set) {
  const tally::RuleSet rules = tally::find_rule_set(rule_set).value_or(tally::rule_set_cpv_2024());
  return attendance(*session.people, *state.roll, rules.quorum_numerator,
                    rules.quorum_denominator);
}

PeopleMinutes people_minutes(const std::optional<Register>& people, const State& after,
                             std::string_view contest, std::uint32_t round) {
  PeopleMinutes out;
  if (!people) return out;
  const ContestState& cs = after.contest(contest);
  auto it = cs.rounds.find(round);
  if (it != cs.rounds.end() && it->second.attendance) {
    out.attendance = to_json(*it->second.attendance, people->kind);
  }
  // The round that completed the contest states its composition: the last closed round, after
  // which no further round is possible.
  if (cs.last_closed == round && cs.complete() && !cs.concluded) {
    if (const ContestPeople* cp = people->find_contest(contest)) {
      out.composition = to_json(composition(*people, *cp, cs.elected));
    }
  }
  return out;
}

tally::FurtherRound next_step(const tally::Contest& contest, const tally::Result& result,
                              const ContestState& after, bool alternates_only) {
  tally::FurtherRound next = tally::further_round(contest, result);
  if (alternates_only &&
      (next.step == tally::NextStep::runoff || next.step == tally::NextStep::further_round)) {
    // The round's "seats" were alternate places (tally::next_round_contest): so are those left.
    next.alternates += next.seats;
    next.seats = 0;
    next.alternates_only = true;
  }
  if (next.step == tally::NextStep::further_round) {
    // Everyone of the contest not yet elected, not only this round's list (docs/congress.md
    // "Further rounds").
    next.eligible.clear();
    for (const tally::Candidate& c : after.known) {
      if (!contains(after.elected, c.id) && !contains(after.elected_alternates, c.id)) {
        next.eligible.push_back(c.id);
      }
    }
  }
  return next;
}

void record_count(ContestState& c, std::uint32_t round, const RoundBallot& ballot,
                  const tally::Contest& engine, const tally::Result& result) {
  auto add = [](std::vector<std::string>& to, const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      if (!contains(to, id)) to.push_back(id);
    }
  };
  if (ballot.alternates_only) {
    add(c.elected_alternates, result.elected);  // the round's "seats" are alternate places
  } else {
    add(c.elected, result.elected);
    add(c.elected_alternates, result.elected_alternates);
  }
  for (const tally::Candidate& cand : ballot.candidates) {
    bool known = false;
    for (const tally::Candidate& k : c.known) known = known || k.id == cand.id;
    if (!known) c.known.push_back(cand);
  }
  RoundState& r = c.rounds[round];
  r.phase = Phase::closed;
  r.ballot = ballot;
  r.result = result;
  c.last_next = next_step(engine, result, c, ballot.alternates_only);
  c.last_closed = round;
}

}  // namespace tallystation::congress
