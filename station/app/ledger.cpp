#include "station/app/ledger.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <stdexcept>

#include "crypto/dsse.hpp"
#include "station/app/minutes.hpp"

namespace tallystation::station {

namespace json = boost::json;

congress::SessionRules congress_rules(const Session& session, const std::string& station_keyid) {
  congress::SessionRules r;
  r.people_keyids.push_back(station_keyid);
  r.id = session.id;
  r.convened = session.convened;
  for (const Person& p : session.officials) {
    r.officials.push_back(p.id);
    r.people_keyids.push_back(p.public_key.keyid());
  }
  for (const Person& p : session.committee) r.people_keyids.push_back(p.public_key.keyid());
  r.people = session.people;
  for (const TerminalDef& t : session.terminals) {
    r.terminals.push_back({t.id, t.public_key.keyid()});
  }
  for (const ContestDef& c : session.contests) r.contests.push_back(contest_rules(c));
  return r;
}

Ledger::Ledger(const Session& session, Store& store, const crypto::SecretKey& station_key)
    : session_(session),
      store_(store),
      book_(session, store, station_key),
      rules_(congress_rules(session, station_key.keyid())),
      congress_(congress::initial_state(rules_)) {}

crypto::Digest command_entry_hash(const crypto::Digest& prev_hash, std::string_view envelope) {
  const crypto::Digest inner = crypto::sha256(envelope);
  std::string buf(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  buf.append(reinterpret_cast<const char*>(inner.data()), inner.size());
  return crypto::sha256(buf);
}

Result<Ledger::State> Ledger::read_state() {
  State s;
  auto genesis = crypto::digest_from_hex(session_.config_hash);
  if (!genesis) return make_error(Errc::corrupt, "config_hash is not a SHA-256 digest");
  s.log_head = *genesis;

  auto terminals = store_.terminals();
  if (!terminals) return terminals.error();
  for (const TerminalRow& t : *terminals) {
    auto key = crypto::PublicKey::from_pem(t.public_key_pem);
    if (!key || key->keyid() != t.keyid) {
      return make_error(Errc::corrupt, "terminals: bad key for terminal " + t.id);
    }
    s.terminals_by_keyid.insert_or_assign(t.keyid, TerminalInfo{t.id, *key, t.revoked});
    s.terminal_revoked_by_id.insert_or_assign(t.id, t.revoked);
  }

  auto rounds = store_.rounds();
  if (!rounds) return rounds.error();
  for (RoundRow& r : *rounds) {
    auto tree = crypto::AppendOnlyTree::restore(r.tree_state);
    // An open round's log covers every ballot under its key; a closed round's log and key are
    // erased (close_round_cmd), a pending round has neither yet.
    const bool open = r.phase == RoundPhase::open;
    if (!tree || tree->size() != (open ? r.ballots : 0) || open != r.log_key.has_value()) {
      return make_error(Errc::corrupt, "rounds: internal log of " + r.contest + " round " +
                                           std::to_string(r.round) + " does not restore");
    }
    RoundKey key{r.contest, r.round};
    s.rounds.emplace(key, RoundView{std::move(r), std::move(*tree), {}});
  }

  auto counts = store_.ballot_counts();
  if (!counts) return counts.error();
  for (const TerminalCount& c : *counts) {
    auto it = s.rounds.find(RoundKey{c.contest, c.round});
    if (it == s.rounds.end()) return make_error(Errc::corrupt, "ballots of an unknown round");
    it->second.per_terminal[c.terminal] = c.ballots;
  }

  auto last = store_.last_command();
  if (!last) return last.error();
  if (*last) {
    s.last_seq = (*last)->seq;
    s.log_size = (*last)->index + 1;
    s.log_head = (*last)->entry_hash;
  }
  auto present = store_.get_meta("present");
  if (!present) return present.error();
  if (*present) {
    std::uint32_t n = 0;
    const std::string& text = **present;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return make_error(Errc::corrupt, "meta.present is not a count");
    }
    s.present = n;
  }
  return s;
}

std::ptrdiff_t Ledger::OpenBox::find(const crypto::Digest& token) const {
  auto it = std::lower_bound(tokens.begin(), tokens.end(), token);
  if (it == tokens.end() || *it != token) return -1;
  return it - tokens.begin();
}

bool Ledger::OpenBox::mark(std::size_t from) {
  for (std::size_t i = from; i < leaves.size(); ++i) {
    const std::ptrdiff_t t = find(leaf_tokens[i]);
    if (t < 0 || spent[static_cast<std::size_t>(t)] != 0) return false;
    spent[static_cast<std::size_t>(t)] = static_cast<std::uint32_t>(i + 1);
  }
  return true;
}

Status Ledger::refresh_boxes(State& s) {
  std::map<RoundKey, OpenBox> boxes;
  for (auto& [key, view] : s.rounds) {
    if (view.row.phase != RoundPhase::open) continue;
    const std::string where = "round " + std::to_string(key.second) + " of contest " + key.first;
    OpenBox box;
    if (auto old = boxes_.find(key); old != boxes_.end()) box = std::move(old->second);
    const crypto::Digest skey = staging_key(*view.row.log_key);
    if (box.key != skey || box.leaves.size() > view.row.ballots) {
      box = OpenBox{};
      box.key = skey;
    }
    // Tokens: re-read when some were issued since (issue_tokens during the round).
    const bool new_tokens = box.tokens.size() != view.row.tokens_issued;
    if (new_tokens) {
      auto tokens = store_.token_hashes(key.first, key.second);
      if (!tokens) return tokens.error();
      box.tokens = std::move(*tokens);
      box.spent.assign(box.tokens.size(), 0);
    }
    // Staged ballots: read those not in memory yet (all of them at start).
    const std::size_t known = box.leaves.size();
    if (known != view.row.ballots) {
      std::uint64_t staged = known;
      auto scanned = store_.scan_staged(key.first, key.second, known, [&](std::string_view row) -> Status {
        auto b = open_staged(skey, key.first, key.second, row);
        if (!b) return make_error(Errc::corrupt, "staging: a row of " + where + " does not open");
        box.leaves.push_back(b->leaf);
        box.leaf_tokens.push_back(b->token);
        ++box.per_terminal[b->terminal];
        ++staged;
        return {};
      });
      if (!scanned) return scanned.error();
      if (staged != view.row.ballots) {
        return make_error(Errc::corrupt, "staging: " + std::to_string(staged) +
                                             " ballots staged for " + where + ", whose log has " +
                                             std::to_string(view.row.ballots));
      }
    }
    if (!box.mark(new_tokens ? 0 : known)) {
      return make_error(Errc::corrupt, "staging: a ballot of " + where +
                                           " has a token that was not issued or is spent twice");
    }
    view.per_terminal = box.per_terminal;
    boxes.emplace(key, std::move(box));
  }
  boxes_ = std::move(boxes);
  return {};
}

Status Ledger::load() {
  auto s = read_state();
  if (!s) return s.error();
  if (auto b = refresh_boxes(*s); !b) return b;
  auto rounds = store_.rounds();
  if (!rounds) return rounds.error();
  if (auto b = book_.load(*rounds); !b) return b;
  // Only commands change the congress state; after a command, apply_command has already set it.
  // Both views are published together, or neither: a ledger whose congress state lags its log
  // would decide the next command against the wrong state.
  std::optional<congress::State> replayed;
  if (s->log_size != congress_.log_size) {
    auto r = replay_commands();
    if (!r) return r.error();
    replayed = std::move(*r);
  }
  std::unique_lock lock(mutex_);
  state_ = std::move(*s);
  if (replayed) congress_ = std::move(*replayed);
  return {};
}

congress::Environment Ledger::environment() const {
  congress::Environment env;
  env.keyid_of = [](std::string_view pem) -> std::optional<std::string> {
    auto key = crypto::PublicKey::from_pem(pem);
    if (!key) return std::nullopt;
    return key->keyid();
  };
  env.count = [this](const tally::Contest& contest) {
    // One payload at a time: a round can hold millions of ballots.
    BoxCounter counter(contest);
    Status scanned;
    if (auto box = boxes_.find(RoundKey{contest.id, contest.round}); box != boxes_.end()) {
      // The round being closed: its ballots are still staged (a count does not depend on their
      // order).
      const crypto::Digest& key = box->second.key;
      scanned = store_.scan_staged(contest.id, contest.round, 0, [&](std::string_view row) -> Status {
        auto b = open_staged(key, contest.id, contest.round, row);
        if (!b) return make_error(Errc::corrupt, "a staged ballot does not open");
        counter.add(b->payload);
        return {};
      });
    } else {
      scanned = store_.scan_payloads(contest.id, contest.round, [&](std::string_view payload) -> Status {
        counter.add(payload);
        return {};
      });
    }
    if (!scanned) {
      throw std::runtime_error("cannot read the ballots of " + contest.id + " round " +
                               std::to_string(contest.round) + ": " + scanned.error().message);
    }
    return counter.finish();
  };
  return env;
}

Result<congress::State> Ledger::replay_commands() {
  auto rows = store_.commands();
  if (!rows) return rows.error();
  congress::State state = congress::initial_state(rules_);
  const congress::Environment env = environment();
  for (const CommandRow& row : *rows) {
    auto env_parsed = crypto::parse_envelope(row.envelope);
    congress::ParsedCommand cmd =
        env_parsed ? congress::parse_command(env_parsed->payload) : congress::ParsedCommand{};
    if (!cmd.command) {
      return make_error(Errc::corrupt, "command log entry " + std::to_string(row.index) +
                                           " does not parse");
    }
    congress::Decision d = congress::apply(rules_, state, *cmd.command, row.official, env);
    if (!d.applied) {
      return make_error(Errc::corrupt, "command log entry " + std::to_string(row.index) +
                                           " is refused by the congress rules (" +
                                           std::string(congress::to_string(d.refusal.code)) +
                                           ": " + d.refusal.message + ")");
    }
    state = std::move(d.applied->state);
  }
  return state;
}

void Ledger::recover() noexcept {
  store_.rollback();
  try {
    if (auto s = load(); !s) fatal_state_loss(s.error().message);
  } catch (const std::exception& e) {
    fatal_state_loss(e.what());
  }
}

void fatal_state_loss(std::string_view what) noexcept {
  std::cerr << "stationd: fatal: cannot re-read the state from the database (" << what
            << "); stopping so that a restart recovers it from the database\n"
            << std::flush;
  std::abort();
}

struct Ledger::BatchView {
  std::map<RoundKey, RoundView> touched;  // rounds changed by the batch, as they will be
  std::map<std::pair<RoundKey, crypto::Digest>, crypto::Digest> spent;  // token -> leaf
};

Ledger::Verdict Ledger::judge(const PendingBallot& b, const BatchView& batch, BallotOutcome& out,
                              bool& fresh, Status& failure) {
  // The writer is the only mutator of state_, so it reads state_ without the lock.
  const RoundKey key{b.payload.contest, b.payload.round};
  std::optional<crypto::Digest> spent_by;
  bool token_known = false;
  auto box = boxes_.find(key);
  if (auto it = batch.spent.find({key, b.token}); it != batch.spent.end()) {
    token_known = true;
    spent_by = it->second;
    fresh = true;
  } else if (box != boxes_.end()) {
    // An open round: its tokens and spends are in memory.
    const std::ptrdiff_t t = box->second.find(b.token);
    token_known = t >= 0;
    if (token_known && box->second.spent[static_cast<std::size_t>(t)] != 0) {
      spent_by = box->second.leaves[box->second.spent[static_cast<std::size_t>(t)] - 1];
    }
  } else {
    // A closed round's spends are in the tokens table (a retry after close gets its receipt).
    auto tok = store_.find_token(key.first, key.second, b.token);
    if (!tok) {
      failure = tok.error();
      return Verdict::fail;
    }
    token_known = tok->has_value();
    if (token_known) spent_by = (**tok).spent_by;
  }
  // The same ballot again: the same receipt, whatever happened since (contract section 2).
  if (spent_by && *spent_by == b.leaf) {
    out.retry = true;
    return Verdict::retry;
  }
  auto term = state_.terminals_by_keyid.find(b.terminal_keyid);
  if (term == state_.terminals_by_keyid.end()) {
    out.refused = refuse(Refusal::unknown_terminal, "terminal is not enrolled");
    return Verdict::refuse;
  }
  if (term->second.revoked) {
    out.refused = refuse(Refusal::revoked_terminal, "terminal " + term->second.id + " is revoked");
    return Verdict::refuse;
  }
  auto round = state_.rounds.find(key);
  if (round == state_.rounds.end() || round->second.row.phase != RoundPhase::open) {
    out.refused = refuse(Refusal::round_not_open, "round " + std::to_string(key.second) +
                                                      " of contest " + key.first + " is not open");
    return Verdict::refuse;
  }
  if (!token_known) {
    out.refused = refuse(Refusal::token_unknown, "the token was not issued for this round");
    return Verdict::refuse;
  }
  if (spent_by) {
    out.refused = refuse(Refusal::token_spent, "the token has already been used");
    return Verdict::refuse;
  }
  return Verdict::write;
}

std::vector<BallotOutcome> Ledger::commit_ballots(const std::vector<PendingBallot>& batch) {
  std::vector<BallotOutcome> out(batch.size());
  // fresh[i]: the outcome of batch[i] rests on this transaction's writes.
  std::vector<bool> fresh(batch.size(), false);
  BatchView view;
  std::map<RoundKey, std::vector<std::string>> sealed;  // staging rows, per round
  std::vector<std::size_t> written;                     // indexes into batch, in staging order
  std::size_t processed = 0;
  Status st = store_.begin();
  bool failed = !st;
  for (; !failed && processed < batch.size(); ++processed) {
    const PendingBallot& b = batch[processed];
    bool depends = false;
    const Verdict v = judge(b, view, out[processed], depends, st);
    fresh[processed] = depends;
    if (v == Verdict::fail) {
      failed = true;
      break;  // batch[processed] is answered below, with everything not yet judged
    }
    if (v != Verdict::write) continue;
    const RoundKey key{b.payload.contest, b.payload.round};
    const StagedBallot staged{b.token, b.leaf, b.terminal_id, b.payload_bytes, b.sig_keyid,
                              b.signature};
    sealed[key].push_back(seal_staged(boxes_.at(key).key, key.first, key.second, staged));
    written.push_back(processed);
    view.spent.emplace(std::make_pair(key, b.token), b.leaf);
    fresh[processed] = true;
    RoundView& round = view.touched.try_emplace(key, state_.rounds.at(key)).first->second;
    round.tree.append(internal_log_leaf(*round.row.log_key, b.leaf));
    round.row.ballots = round.tree.size();
    ++round.per_terminal[b.terminal_id];
  }
  // Staging rows are appended in arrival order: the cheapest write SQLite has (docs/storage.md).
  for (auto it = sealed.begin(); !failed && it != sealed.end(); ++it) {
    st = store_.stage_ballots(it->first.first, it->first.second, it->second);
    failed = !st;
  }
  for (auto it = view.touched.begin(); !failed && it != view.touched.end(); ++it) {
    it->second.row.tree_state = it->second.tree.serialize();
    st = store_.put_round(it->second.row);
    failed = !st;
  }
  if (!failed) {
    st = store_.commit();
    failed = !st;
  }

  if (failed) {
    store_.rollback();
    const Error error = st ? make_error(Errc::storage, "unknown") : st.error();
    report_storage_failure(error);
    Refused refused = storage_refusal(
        error, "the ballot could not be stored (" + error.message + "); send it again");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // Outcomes that relied on this transaction's own writes (fresh) are void with it.
      if (i >= processed || fresh[i]) out[i] = BallotOutcome{refused, false};
    }
    // What is on disk is whatever SQLite says after the failure: read it back.
    (void)load();
    return out;
  }
  for (std::size_t i : written) {
    const PendingBallot& b = batch[i];
    OpenBox& box = boxes_.at(RoundKey{b.payload.contest, b.payload.round});
    box.leaves.push_back(b.leaf);
    box.leaf_tokens.push_back(b.token);
    ++box.per_terminal[b.terminal_id];
    box.spent[static_cast<std::size_t>(box.find(b.token))] =
        static_cast<std::uint32_t>(box.leaves.size());
  }
  std::unique_lock lock(mutex_);
  for (auto& [key, round] : view.touched) state_.rounds.insert_or_assign(key, std::move(round));
  return out;
}

std::optional<TerminalInfo> Ledger::terminal_by_keyid(std::string_view keyid) const {
  std::shared_lock lock(mutex_);
  auto it = state_.terminals_by_keyid.find(keyid);
  if (it == state_.terminals_by_keyid.end()) return std::nullopt;
  return it->second;
}

std::optional<RoundPhase> Ledger::phase(std::string_view contest, std::uint32_t round) const {
  std::shared_lock lock(mutex_);
  auto it = state_.rounds.find(RoundKey{std::string(contest), round});
  if (it == state_.rounds.end()) return std::nullopt;
  return it->second.row.phase;
}

std::optional<std::uint32_t> Ledger::open_round(std::string_view contest) const {
  std::shared_lock lock(mutex_);
  for (const auto& [key, view] : state_.rounds) {
    if (key.first == contest && view.row.phase == RoundPhase::open) return key.second;
  }
  return std::nullopt;
}

std::optional<CheckpointInfo> Ledger::checkpoint(std::string_view contest,
                                                 std::uint32_t round) const {
  std::shared_lock lock(mutex_);
  auto it = state_.rounds.find(RoundKey{std::string(contest), round});
  if (it == state_.rounds.end() || it->second.row.phase != RoundPhase::open) return std::nullopt;
  return CheckpointInfo{it->second.tree.size(), it->second.tree.root()};
}

congress::State Ledger::congress_state() const {
  std::shared_lock lock(mutex_);
  return congress_;
}

json::object Ledger::status() const {
  std::shared_lock lock(mutex_);
  json::array contests;
  for (const ContestDef& c : session_.contests) {
    json::array rounds;
    for (const auto& [key, view] : state_.rounds) {
      if (key.first != c.id) continue;
      json::object by_terminal;
      for (const auto& [tid, n] : view.per_terminal) by_terminal[tid] = n;
      json::object r{{"round", key.second},
                     {"state", to_string(view.row.phase)},
                     {"tokens_issued", view.row.tokens_issued},
                     {"ballots", view.row.ballots},
                     {"ballots_by_terminal", std::move(by_terminal)}};
      if (view.row.phase == RoundPhase::closed) {
        r["ballot_box"] = json::object{{"size", view.row.ballots}, {"root", view.row.box_root}};
      }
      rounds.push_back(std::move(r));
    }
    contests.push_back(json::object{{"id", c.id},
                                    {"title", c.title},
                                    {"seats", c.seats},
                                    {"alternates", c.alternates},
                                    {"rounds", std::move(rounds)}});
  }
  json::array terminals;
  for (const TerminalDef& t : session_.terminals) {
    auto it = state_.terminal_revoked_by_id.find(t.id);
    const char* st = it == state_.terminal_revoked_by_id.end() ? "known"
                     : it->second                              ? "revoked"
                                                               : "enrolled";
    terminals.push_back(json::object{{"id", t.id}, {"state", st}});
  }
  for (const auto& [id, revoked] : state_.terminal_revoked_by_id) {
    if (session_.find_terminal(id) != nullptr) continue;
    terminals.push_back(json::object{{"id", id}, {"state", revoked ? "revoked" : "enrolled"}});
  }
  // The rules' attendance: record_attendance's, or with a register the roll's present.
  json::value present = nullptr;
  if (congress_.present) present = *congress_.present;
  // The counting committee by name, for the signature lines of printed minutes (stationctl
  // print-minutes): the session file names them already, keys are left out.
  json::array committee;
  for (const Person& p : session_.committee) {
    committee.push_back(json::object{{"id", p.id}, {"name", p.name}});
  }
  json::object out{{"session", json::object{{"id", session_.id},
                                            {"title", session_.title},
                                            {"organisation", session_.organisation},
                                            {"language", session_.language},
                                            {"congress_kind", to_string(session_.congress_kind)},
                                            {"convened", session_.convened},
                                            {"config_hash", session_.config_hash},
                                            {"committee", std::move(committee)},
                                            {"required_signatures",
                                             session_.required_signatures}}},
                   {"attendance", json::object{{"present", present}}},
                   {"terminals", std::move(terminals)},
                   {"contests", std::move(contests)},
                   {"command_log", json::object{{"size", state_.log_size},
                                                {"head", crypto::to_hex(state_.log_head)},
                                                {"last_seq", state_.last_seq}}}};
  book_.annotate_status(out, congress_);
  return out;
}

}  // namespace tallystation::station
