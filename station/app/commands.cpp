// Official commands (docs/protocol.md, "Commands"): each is checked against the current state,
// applied to the store and appended to the hash-chained command log in one transaction.
#include <boost/json.hpp>
#include <mutex>

#include "station/app/ledger.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kMaxTokensPerCommand = 10'000;

Refused bad(std::string message) {
  return refuse(Refusal::bad_command, std::move(message));
}
Refused storage(const Error& e) {
  return refuse(Refusal::storage_error, e.message);
}

Checked<void> only_args(const json::object& args, std::initializer_list<std::string_view> names) {
  for (const auto& kv : args) {
    std::string_view k(kv.key().data(), kv.key().size());
    if (std::find(names.begin(), names.end(), k) == names.end()) {
      return bad("args." + std::string(k) + ": unknown argument");
    }
  }
  return {};
}

Checked<std::string> arg_string(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (v == nullptr) return bad("args." + std::string(name) + ": missing");
  if (!v->is_string() || v->get_string().empty()) {
    return bad("args." + std::string(name) + ": must be a non-empty string");
  }
  return std::string(v->get_string().data(), v->get_string().size());
}

Checked<std::uint64_t> arg_count(const json::object& args, std::string_view name, std::uint64_t min,
                                 std::uint64_t max) {
  const json::value* v = args.if_contains(name);
  if (v == nullptr) return bad("args." + std::string(name) + ": missing");
  std::int64_t n = -1;
  if (v->is_int64()) n = v->get_int64();
  if (n < 0 || static_cast<std::uint64_t>(n) < min || static_cast<std::uint64_t>(n) > max) {
    return bad("args." + std::string(name) + ": must be an integer from " + std::to_string(min) +
               " to " + std::to_string(max));
  }
  return static_cast<std::uint64_t>(n);
}

}  // namespace

CommandOutcome Ledger::apply_command(const PendingCommand& cmd) {
  if (cmd.payload.seq <= state_.last_seq) {
    return refuse(Refusal::replayed_command, "seq " + std::to_string(cmd.payload.seq) +
                                                 " is not above the last accepted " +
                                                 std::to_string(state_.last_seq));
  }
  if (auto s = store_.begin(); !s) {
    // Whatever made BEGIN fail (a transaction left open, say) must not block every later write.
    store_.rollback();
    (void)load();
    return storage(s.error());
  }
  auto result = run_command(cmd);
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
  if (cmd.payload.command == "close_round") {
    // Best effort: the round is closed and durable either way.
    (void)store_.checkpoint_wal();
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

Checked<json::object> Ledger::run_command(const PendingCommand& cmd) {
  const std::string& c = cmd.payload.command;
  const json::object& a = cmd.payload.args;
  if (c == "enrol_terminal") return enrol_terminal(a);
  if (c == "revoke_terminal") return revoke_terminal(a);
  if (c == "record_attendance") return record_attendance(a);
  if (c == "issue_tokens") return issue_tokens(a);
  if (c == "open_round") return open_round_cmd(a);
  if (c == "close_round") return close_round_cmd(a);
  if (c == "conclude_contest") return conclude_contest_cmd(a);
  return bad("unknown command \"" + c + "\"");
}

Checked<json::object> Ledger::enrol_terminal(const json::object& args) {
  if (auto s = only_args(args, {"terminal", "public_key"}); !s) return s.error();
  auto id = arg_string(args, "terminal");
  if (!id) return id.error();
  if (!is_valid_id(*id)) return bad("args.terminal: invalid id \"" + *id + "\"");
  if (auto it = state_.terminal_revoked_by_id.find(*id);
      it != state_.terminal_revoked_by_id.end()) {
    return refuse(Refusal::terminal_state,
                  "terminal " + *id +
                      (it->second ? " is revoked; enrol a replacement under a new id"
                                  : " is already enrolled"));
  }
  const TerminalDef* known = session_.find_terminal(*id);
  std::optional<crypto::PublicKey> key;
  if (args.contains("public_key")) {
    auto pem = arg_string(args, "public_key");
    if (!pem) return pem.error();
    auto parsed = crypto::PublicKey::from_pem(*pem);
    if (!parsed) return bad("args.public_key: not a PEM Ed25519 or ECDSA P-256 public key");
    if (known && parsed->keyid() != known->public_key.keyid()) {
      return bad("args.public_key: terminal " + *id + " is listed in the session with another key");
    }
    key = *parsed;
  } else if (known) {
    key = known->public_key;
  } else {
    return bad("args.public_key: required for a terminal that the session does not list");
  }
  const std::string& keyid = key->keyid();
  if (state_.terminals_by_keyid.contains(keyid)) {
    return bad("args.public_key: the key belongs to another terminal");
  }
  for (const TerminalDef& t : session_.terminals) {
    if (t.public_key.keyid() == keyid && t.id != *id) {
      return bad("args.public_key: the session lists this key for terminal " + t.id);
    }
  }
  for (const auto* people : {&session_.officials, &session_.committee}) {
    for (const Person& p : *people) {
      if (p.public_key.keyid() == keyid) {
        return bad("args.public_key: the key is an official's or committee member's");
      }
    }
  }
  if (auto s = store_.put_terminal({*id, keyid, key->pem(), false}); !s) return storage(s.error());
  return json::object{{"terminal", *id}, {"keyid", keyid}, {"state", "enrolled"}};
}

Checked<json::object> Ledger::revoke_terminal(const json::object& args) {
  if (auto s = only_args(args, {"terminal"}); !s) return s.error();
  auto id = arg_string(args, "terminal");
  if (!id) return id.error();
  auto it = state_.terminal_revoked_by_id.find(*id);
  if (it == state_.terminal_revoked_by_id.end()) {
    return refuse(Refusal::unknown_terminal, "terminal " + *id + " is not enrolled");
  }
  if (it->second) return refuse(Refusal::terminal_state, "terminal " + *id + " is already revoked");
  for (const auto& [keyid, info] : state_.terminals_by_keyid) {
    if (info.id != *id) continue;
    if (auto s = store_.put_terminal({*id, keyid, info.key.pem(), true}); !s) {
      return storage(s.error());
    }
  }
  return json::object{{"terminal", *id}, {"state", "revoked"}};
}

Checked<json::object> Ledger::record_attendance(const json::object& args) {
  if (auto s = only_args(args, {"present"}); !s) return s.error();
  auto present = arg_count(args, "present", 0, session_.convened);
  if (!present) return present.error();
  if (auto s = store_.put_meta("present", std::to_string(*present)); !s) {
    return storage(s.error());
  }
  return json::object{{"present", *present}, {"convened", session_.convened}};
}

Checked<RoundRow> Ledger::round_for(const json::object& args, const ContestDef** contest) {
  auto cid = arg_string(args, "contest");
  if (!cid) return cid.error();
  *contest = session_.find_contest(*cid);
  if (*contest == nullptr) return refuse(Refusal::unknown_contest, "no contest \"" + *cid + "\"");
  auto round = arg_count(args, "round", 1, UINT32_MAX);
  if (!round) return round.error();
  auto it = state_.rounds.find(RoundKey{*cid, static_cast<std::uint32_t>(*round)});
  if (it != state_.rounds.end()) return it->second.row;
  RoundRow row;
  row.contest = *cid;
  row.round = static_cast<std::uint32_t>(*round);
  row.tree_state = crypto::AppendOnlyTree{}.serialize();
  return row;
}

Checked<json::object> Ledger::issue_tokens(const json::object& args) {
  if (auto s = only_args(args, {"contest", "round", "count"}); !s) return s.error();
  const ContestDef* contest = nullptr;
  auto row = round_for(args, &contest);
  if (!row) return row.error();
  auto n = arg_count(args, "count", 1, kMaxTokensPerCommand);
  if (!n) return n.error();
  if (auto r = may_issue_tokens(contest_rounds(row->contest), row->round)) return *r;

  json::array tokens;
  std::vector<crypto::Digest> hashes;
  for (std::uint64_t i = 0; i < *n; ++i) {
    std::string t = make_token();
    hashes.push_back(token_hash(t));
    tokens.emplace_back(t);
  }
  row->tokens_issued += *n;
  if (auto s = store_.insert_tokens(row->contest, row->round, hashes); !s) {
    return storage(s.error());
  }
  if (auto s = store_.put_round(*row); !s) return storage(s.error());
  // The tokens leave the station here, once; it keeps only their hashes.
  return json::object{{"contest", row->contest},
                      {"round", row->round},
                      {"count", *n},
                      {"tokens_issued", row->tokens_issued},
                      {"tokens", std::move(tokens)}};
}

Checked<json::object> Ledger::open_round_cmd(const json::object& args) {
  if (auto s = only_args(
          args, {"contest", "round", "candidates", "seats", "alternates", "new_nominations"});
      !s) {
    return s.error();
  }
  const ContestDef* contest = nullptr;
  auto row = round_for(args, &contest);
  if (!row) return row.error();
  if (auto r = may_open_round(contest_rounds(row->contest), row->round)) return *r;
  // Further rounds and elect-from contests: only what the last minutes allow (further_rounds.hpp).
  auto ballot = book_.open_round(args);
  if (!ballot) return ballot.error();
  row->phase = RoundPhase::open;
  row->log_key = new_log_key();
  if (auto s = store_.put_round(*row); !s) return storage(s.error());
  return json::object{{"contest", row->contest},
                      {"round", row->round},
                      {"state", "open"},
                      {"tokens_issued", row->tokens_issued},
                      {"ballot", std::move(*ballot)}};
}

Checked<json::object> Ledger::close_round_cmd(const json::object& args) {
  if (auto s = only_args(args, {"contest", "round"}); !s) return s.error();
  const ContestDef* contest = nullptr;
  auto row = round_for(args, &contest);
  if (!row) return row.error();
  if (auto r = may_close_round(contest_rounds(row->contest), row->round)) return *r;
  // The ballot box: accepted payloads sorted by leaf hash (CONTRACT.md section 3).
  auto leaves = store_.leaf_hashes(row->contest, row->round);
  if (!leaves) return storage(leaves.error());
  if (leaves->size() != row->ballots) {
    return refuse(Refusal::internal, "the ballot table and the internal log disagree");
  }
  row->phase = RoundPhase::closed;
  row->box_root = crypto::to_hex(crypto::merkle_root(*leaves));
  // The ballot box is fixed: erase the internal log's key and state, so that nothing left in the
  // database can be matched against the box to recover the order of arrival (docs/storage.md).
  row->log_key.reset();
  row->tree_state = crypto::AppendOnlyTree{}.serialize();
  if (auto s = store_.put_round(*row); !s) return storage(s.error());
  // The minutes: counted, signed and stored in this same transaction. audit_log_head is the
  // command log's head before this close_round command.
  auto minutes = book_.close_round(*row, state_.present, state_.log_head);
  if (!minutes) return minutes.error();
  return json::object{
      {"contest", row->contest},
      {"round", row->round},
      {"state", "closed"},
      {"minutes", std::move(*minutes)},
      {"tokens_issued", row->tokens_issued},
      {"ballot_box", json::object{{"size", row->ballots}, {"root", row->box_root}}}};
}

Checked<json::object> Ledger::conclude_contest_cmd(const json::object& args) {
  auto cid = arg_string(args, "contest");
  if (!cid) return cid.error();
  for (const auto& [n, phase] : contest_rounds(*cid)) {
    if (phase == RoundPhase::open) {
      return refuse(Refusal::round_state,
                    "round " + std::to_string(n) + " of " + *cid + " is open: close it first");
    }
  }
  return book_.conclude(args);
}

}  // namespace tallystation::station
