// Official commands (docs/protocol.md "Commands"): each is decided by the congress rules
// (tally/congress/congress.hpp, docs/congress.md), then its storage effects and its log entry are
// written in one transaction. The rules live there; this file only stores what they decided.
#include <boost/json.hpp>
#include <iostream>
#include <mutex>

#include "station/app/ledger.hpp"
#include "tally/rule_set.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

Refused storage(const Error& e) {
  report_storage_failure(e);
  return storage_refusal(e, e.message);
}

Refusal protocol_code(congress::Code code) {
  using congress::Code;
  switch (code) {
    case Code::malformed_command:
      return Refusal::malformed;
    case Code::wrong_session:
      return Refusal::unknown_session;
    case Code::seq_not_above:
      return Refusal::replayed_command;
    case Code::official_not_signer:
      return Refusal::unknown_official;
    case Code::unknown_contest:
      return Refusal::unknown_contest;
    case Code::terminal_enrolled:
    case Code::terminal_revoked:
      return Refusal::terminal_state;
    case Code::terminal_not_enrolled:
      return Refusal::unknown_terminal;
    case Code::round_open:
    case Code::round_not_next:
    case Code::round_closed:
    case Code::round_not_open:
    case Code::source_incomplete:
    case Code::no_further_round:
    case Code::contest_concluded:
    case Code::attendance_required:
    case Code::conclude_not_allowed:
    case Code::roll_incomplete:
    case Code::no_quorum:
      return Refusal::round_state;
    case Code::not_eligible:
    case Code::candidate_ineligible:
      return Refusal::not_eligible;
    case Code::unknown_command:
    case Code::bad_argument:
    case Code::key_required:
    case Code::key_invalid:
    case Code::key_mismatch:
    case Code::key_in_use:
    case Code::places_mismatch:
    case Code::list_not_allowed:
    case Code::runoff_incomplete:
    case Code::nomination_stood:
    case Code::duplicate_candidate:
    case Code::no_candidates:
    case Code::round_cannot_be_counted:
    case Code::no_register:
    case Code::roll_kept:
    case Code::unknown_person:
    case Code::already_replaced:
    case Code::exception_not_needed:
    case Code::exception_recorded:
    case Code::unknown_rule:
      return Refusal::bad_command;
  }
  return Refusal::bad_command;
}

}  // namespace

Refused refusal_of(const congress::Refusal& r) {
  Refused out = refuse(protocol_code(r.code), r.message);
  out.rule = std::string(congress::to_string(r.code));
  return out;
}

CommandOutcome Ledger::apply_command(const PendingCommand& cmd) {
  // The writer is the only mutator of congress_, so it reads it without the lock.
  const congress::Decision d =
      congress::apply(rules_, congress_, cmd.payload, cmd.official_id, environment());
  if (!d.applied) return refusal_of(d.refusal);
  if (auto s = store_.begin(); !s) {
    // Whatever made BEGIN fail (a transaction left open, say) must not block every later write.
    store_.rollback();
    (void)load();
    return storage(s.error());
  }
  auto result = store_effect(*d.applied, congress_);
  if (!result) {
    store_.rollback();
    return result.error();
  }
  CommandRow row;
  row.index = state_.log_size;
  row.seq = cmd.payload.seq;
  row.official = cmd.official_id;
  row.envelope = cmd.envelope;
  row.prev_hash = state_.log_head;
  row.entry_hash = command_entry_hash(row.prev_hash, row.envelope);
  if (auto s = store_.append_command(row); !s) {
    store_.rollback();
    return storage(s.error());
  }
  if (auto s = store_.commit(); !s) {
    store_.rollback();
    (void)load();
    return storage(s.error());
  }
  {
    std::unique_lock lock(mutex_);
    congress_ = d.applied->state;
  }
  if (d.applied->effect.command == "close_round") {
    // The round is closed and durable either way; a compaction that fails here is redone at the
    // next start (meta.compact_pending).
    if (auto s = store_.compact(); !s) {
      std::cerr << "stationd: the database could not be compacted after the round closed ("
                << s.error().message << "); it will be at the next start\n";
    }
  }
  // Commands are rare: re-reading the committed state keeps one source of truth. The command is
  // durable; if memory cannot follow, a closed round could still be open here (and the next
  // ballot batch would write it back open): stop, and let the restart read the database.
  if (auto s = load(); !s) {
    fatal_state_loss("after command seq " + std::to_string(row.seq) + ": " + s.error().message);
  }
  return json::object{{"seq", row.seq},
                      {"log_index", row.index},
                      {"entry_hash", crypto::to_hex(row.entry_hash)},
                      {"result", std::move(*result)}};
}

RoundRow Ledger::round_row(const std::string& contest, std::uint32_t round) const {
  auto it = state_.rounds.find(RoundKey{contest, round});
  if (it != state_.rounds.end()) return it->second.row;
  RoundRow row;
  row.contest = contest;
  row.round = round;
  row.tree_state = crypto::AppendOnlyTree{}.serialize();
  return row;
}

Checked<json::object> Ledger::store_effect(const congress::Applied& applied,
                                           const congress::State& before) {
  const congress::Effect& e = applied.effect;
  const congress::State& after = applied.state;
  if (e.command == "enrol_terminal") {
    const congress::TerminalState& t = after.terminals.find(e.terminal)->second;
    std::string pem = t.public_key;
    if (pem.empty()) pem = session_.find_terminal(e.terminal)->public_key.pem();
    if (auto s = store_.put_terminal({e.terminal, t.keyid, pem, false}); !s) {
      return storage(s.error());
    }
    return json::object{{"terminal", e.terminal}, {"keyid", t.keyid}, {"state", "enrolled"}};
  }
  if (e.command == "revoke_terminal") {
    for (const auto& [keyid, info] : state_.terminals_by_keyid) {
      if (info.id != e.terminal) continue;
      if (auto s = store_.put_terminal({e.terminal, keyid, info.key.pem(), true}); !s) {
        return storage(s.error());
      }
    }
    return json::object{{"terminal", e.terminal}, {"state", "revoked"}};
  }
  if (e.command == "record_attendance") {
    if (auto s = store_.put_meta("present", std::to_string(*after.present)); !s) {
      return storage(s.error());
    }
    return json::object{{"present", *after.present}, {"convened", session_.convened}};
  }
  if (e.command == "record_roll") {
    // The roll lives in the command log; the answer is its arithmetic now.
    const tally::RuleSet rules = tally::rule_set_cpv_2024();
    const congress::Attendance a = congress::attendance(
        *session_.people, *after.roll, rules.quorum_numerator, rules.quorum_denominator);
    return json::parse(congress::to_json(a, session_.people->kind)).as_object();
  }
  if (e.command == "record_exception") {
    const congress::Exception& x = after.exceptions.back();
    return json::object{{"contest", x.contest},   {"candidate", x.candidate},
                        {"rule", x.rule},         {"body", x.body},
                        {"decision", x.decision}, {"date", congress::to_string(x.date)}};
  }
  if (e.command == "issue_tokens") return store_tokens(e, after);
  if (e.command == "open_round") return store_open(e, after);
  if (e.command == "close_round") return store_close(e, after);
  // conclude_contest
  const congress::ContestState& c = after.contest(e.contest);
  if (auto s = book_.conclude(e.contest); !s) return storage(s.error());
  return json::object{{"contest", e.contest},
                      {"state", "concluded"},
                      {"elected", string_array(c.elected)},
                      {"elected_alternates", string_array(c.elected_alternates)},
                      {"seats_unfilled", before.contest(e.contest).last_next->seats},
                      {"no_one_elected", c.elected.empty()}};
}

Checked<json::object> Ledger::store_tokens(const congress::Effect& e,
                                           const congress::State& after) {
  RoundRow row = round_row(e.contest, e.round);
  json::array tokens;
  std::vector<crypto::Digest> hashes;
  for (std::uint64_t i = 0; i < e.count; ++i) {
    std::string t = make_token();
    hashes.push_back(token_hash(t));
    tokens.emplace_back(t);
  }
  row.tokens_issued = after.contest(e.contest).rounds.at(e.round).tokens_issued;
  if (auto s = store_.insert_tokens(row.contest, row.round, hashes); !s) {
    return storage(s.error());
  }
  if (auto s = store_.put_round(row); !s) return storage(s.error());
  // The tokens leave the station here, once; it keeps only their hashes.
  return json::object{{"contest", row.contest},
                      {"round", row.round},
                      {"count", e.count},
                      {"tokens_issued", row.tokens_issued},
                      {"tokens", std::move(tokens)}};
}

Checked<json::object> Ledger::store_open(const congress::Effect& e, const congress::State& after) {
  RoundRow row = round_row(e.contest, e.round);
  const RoundBallot& ballot = *after.contest(e.contest).rounds.at(e.round).ballot;
  auto stored = book_.open_round(e.contest, e.round, ballot);
  if (!stored) return stored.error();
  row.phase = RoundPhase::open;
  row.log_key = new_log_key();
  if (auto s = store_.put_round(row); !s) return storage(s.error());
  return json::object{{"contest", row.contest},
                      {"round", row.round},
                      {"state", "open"},
                      {"tokens_issued", row.tokens_issued},
                      {"ballot", std::move(*stored)}};
}

Checked<json::object> Ledger::store_close(const congress::Effect& e,
                                          const congress::State& after) {
  RoundRow row = round_row(e.contest, e.round);
  // The ballot box: the staged ballots, opened and sorted by leaf hash (CONTRACT.md section 3),
  // their tokens spent, the staging rows deleted.
  if (!row.log_key) return refuse(Refusal::internal, "an open round without its key");
  auto sealed = store_.seal_round(row.contest, row.round, staging_key(*row.log_key));
  if (!sealed) return storage(sealed.error());
  auto leaves = store_.leaf_hashes(row.contest, row.round);
  if (!leaves) return storage(leaves.error());
  if (*sealed != row.ballots || leaves->size() != row.ballots) {
    return refuse(Refusal::internal, "the staged ballots and the internal log disagree");
  }
  row.phase = RoundPhase::closed;
  row.box_root = crypto::to_hex(crypto::merkle_root(*leaves));
  // The ballot box is fixed: erase the internal log's key and state, so that nothing left in the
  // database can be matched against the box to recover the order of arrival (docs/storage.md).
  row.log_key.reset();
  row.tree_state = crypto::AppendOnlyTree{}.serialize();
  if (auto s = store_.put_round(row); !s) return storage(s.error());
  // The minutes: signed and stored in this same transaction. audit_log_head is the command log's
  // head before this close_round command.
  auto minutes = book_.close_round(row, after, state_.log_head);
  if (!minutes) return minutes.error();
  return json::object{
      {"contest", row.contest},
      {"round", row.round},
      {"state", "closed"},
      {"minutes", std::move(*minutes)},
      {"tokens_issued", row.tokens_issued},
      {"ballot_box", json::object{{"size", row.ballots}, {"root", row.box_root}}}};
}

}  // namespace tallystation::station
