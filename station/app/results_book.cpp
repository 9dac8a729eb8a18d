#include "station/app/results_book.hpp"

#include <boost/json.hpp>
#include <mutex>

#include "crypto/dsse.hpp"
#include "station/app/countersign.hpp"

namespace tallystation::station {

namespace json = boost::json;

namespace {

std::string round_ballot_key(std::string_view contest, std::uint32_t round) {
  return "round_ballot:" + std::string(contest) + ":" + std::to_string(round);
}
std::string minutes_key(std::string_view contest, std::uint32_t round) {
  return "minutes:" + std::string(contest) + ":" + std::to_string(round);
}
std::string concluded_key(std::string_view contest) {
  return "concluded:" + std::string(contest);
}

Refused storage(const Error& e) {
  return refuse(Refusal::storage_error, e.message);
}

json::array string_array(const std::vector<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.emplace_back(id);
  return out;
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  for (const json::value& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}

tally::NextStep step_from(std::string_view s) {
  for (auto step : {tally::NextStep::none, tally::NextStep::runoff, tally::NextStep::further_round,
                    tally::NextStep::appointment, tally::NextStep::closed}) {
    if (tally::to_string(step) == s) return step;
  }
  throw std::runtime_error("unknown next step in stored minutes");
}

json::object ballot_json(const RoundBallot& b) {
  return json::parse(to_json(b)).as_object();
}

}  // namespace

ResultsBook::ResultsBook(const Session& session, Store& store, const crypto::SecretKey& station_key)
    : session_(session), store_(store), station_key_(station_key) {}

const std::string& ResultsBook::elect_from(const std::string& contest) const {
  static const std::string none;
  const ContestDef* c = session_.find_contest(contest);
  return c != nullptr ? c->elect_from : none;
}

Result<ResultsBook::Closed> ResultsBook::read_closed(const std::string& envelope) const {
  auto env = crypto::parse_envelope(envelope);
  if (!env) return make_error(Errc::corrupt, "stored minutes are not an envelope");
  // The payload was written by make_minutes; its extras carry the contest's progress.
  const json::object p = json::parse(env->payload).as_object();
  Closed c;
  c.envelope = envelope;
  c.after.elected = strings(p.at("elected_so_far"));
  c.after.elected_alternates = strings(p.at("elected_alternates_so_far"));
  c.outcome = std::string(p.at("outcome").as_string());
  const json::object& n = p.at("next_step").as_object();
  c.next.step = step_from(n.at("step").as_string());
  c.next.round = n.at("round").to_number<std::uint32_t>();
  c.next.seats = n.at("seats").to_number<std::uint32_t>();
  c.next.alternates = n.at("alternates").to_number<std::uint32_t>();
  c.next.alternates_only = n.at("alternates_only").as_bool();
  c.next.eligible = strings(n.at("eligible"));
  c.next.congress_decides = n.at("congress_decides").as_bool();
  c.next.new_nominations_allowed = n.at("new_nominations_allowed").as_bool();
  return c;
}

Status ResultsBook::load(const std::vector<RoundRow>& rounds) {
  State s;
  std::map<RoundKey, std::vector<crypto::Digest>> new_boxes;
  for (const RoundRow& r : rounds) {
    const RoundKey key{r.contest, r.round};
    auto b = store_.get_meta(round_ballot_key(r.contest, r.round));
    if (!b) return b.error();
    if (*b) {
      auto ballot = parse_round_ballot(**b);
      if (!ballot) return make_error(Errc::corrupt, "round ballot of " + r.contest + " is corrupt");
      s.ballots.emplace(key, std::move(*ballot));
    }
    if (r.phase != RoundPhase::closed) continue;
    auto m = store_.get_meta(minutes_key(r.contest, r.round));
    if (!m) return m.error();
    if (*m) {
      auto closed = read_closed(**m);
      if (!closed) return closed.error();
      s.closed.emplace(key, std::move(*closed));
    }
    bool cached = false;
    {
      std::shared_lock lock(mutex_);
      cached = boxes_.contains(key);
    }
    if (!cached) {
      auto leaves = store_.leaf_hashes(r.contest, r.round);
      if (!leaves) return leaves.error();
      new_boxes.emplace(key, std::move(*leaves));
    }
  }
  for (const ContestDef& c : session_.contests) {
    auto v = store_.get_meta(concluded_key(c.id));
    if (!v) return v.error();
    if (*v) s.concluded[c.id] = true;
  }
  std::unique_lock lock(mutex_);
  state_ = std::move(s);
  for (auto& [k, v] : new_boxes) boxes_.insert_or_assign(k, std::move(v));
  return {};
}

ContestHistory ResultsBook::history_locked(const State& s, const std::string& contest) const {
  ContestHistory h;
  for (const auto& [key, ballot] : s.ballots) {
    if (key.first != contest) continue;
    for (const Candidate& c : ballot.candidates) {
      bool known = false;
      for (const Candidate& k : h.known) known = known || k.id == c.id;
      if (!known) h.known.push_back(c);
    }
  }
  for (const auto& [key, closed] : s.closed) {
    if (key.first != contest) continue;
    if (key.second >= h.last_closed) {
      h.last_closed = key.second;
      h.progress = closed.after;
      h.last_next = closed.next;
    }
  }
  h.concluded = s.concluded.contains(contest);
  return h;
}

ContestHistory ResultsBook::history(const std::string& contest) const {
  std::shared_lock lock(mutex_);
  return history_locked(state_, contest);
}

Checked<json::object> ResultsBook::open_round(const json::object& args) {
  auto req = parse_open_round_args(args);
  if (!req) return req.error();
  const ContestDef* contest = session_.find_contest(req->contest);
  if (contest == nullptr) {
    return refuse(Refusal::unknown_contest, "no contest \"" + req->contest + "\"");
  }
  const std::string& from = elect_from(contest->id);
  const ContestHistory own = history(contest->id);
  std::optional<ContestHistory> source;
  if (!from.empty()) source = history(from);
  auto ballot = round_ballot_for(*contest, from, own, source ? &*source : nullptr, *req);
  if (!ballot) return ballot.error();
  if (auto s = store_.put_meta(round_ballot_key(contest->id, req->round), to_json(*ballot)); !s) {
    return storage(s.error());
  }
  return ballot_json(*ballot);
}

Checked<json::object> ResultsBook::close_round(const RoundRow& row,
                                               std::optional<std::uint32_t> present,
                                               const crypto::Digest& log_head) {
  const ContestDef* contest = session_.find_contest(row.contest);
  if (contest == nullptr) return refuse(Refusal::unknown_contest, "no contest " + row.contest);
  MinutesFacts f;
  f.session_id = session_.id;
  f.config_hash = session_.config_hash;
  f.convened = session_.convened;
  f.contest = contest;
  f.round = row.round;
  f.ballot = ballot(row.contest, row.round).value_or(first_round_ballot(*contest));
  f.present = present;
  f.ballots_issued = row.tokens_issued;
  f.box_root = row.box_root;
  f.audit_log_head = crypto::to_hex(log_head);
  auto token_hashes = store_.token_hashes(row.contest, row.round);
  if (!token_hashes) return storage(token_hashes.error());
  f.tokens_root = crypto::to_hex(tokens_root(*token_hashes));
  f.elect_from = elect_from(contest->id);
  const ContestHistory h = history(contest->id);
  f.before = h.progress;
  for (const Candidate& c : h.known) f.known_candidates.push_back(c.id);
  if (contest->majority_basis == "present" && !present) {
    return refuse(Refusal::round_state, "contest " + contest->id +
                                            " counts on the basis present: record attendance "
                                            "(record_attendance) before closing the round");
  }
  auto ballots = store_.ballots(row.contest, row.round);
  if (!ballots) return storage(ballots.error());
  std::vector<std::string> payloads;
  payloads.reserve(ballots->size());
  for (BallotRow& b : *ballots) payloads.push_back(std::move(b.payload));
  const Minutes m = make_minutes(f, payloads);
  const std::string envelope = crypto::serialize(
      crypto::make_envelope(station_key_, crypto::payload_type::kResult, m.payload));
  if (auto s = store_.put_meta(minutes_key(row.contest, row.round), envelope); !s) {
    return storage(s.error());
  }
  return json::object{{"outcome", tally::to_string(m.result.outcome)},
                      {"elected", string_array(m.result.elected)},
                      {"elected_alternates", string_array(m.result.elected_alternates)},
                      {"tied", string_array(m.result.tied)},
                      {"seats_unfilled", m.result.seats_unfilled},
                      {"elected_so_far", string_array(m.after.elected)},
                      {"next_step", tally::to_string(m.next.step)}};
}

Checked<json::object> ResultsBook::conclude(const json::object& args) {
  for (const auto& kv : args) {
    if (kv.key() != "contest") {
      return refuse(Refusal::bad_command, "args." + std::string(kv.key()) + ": unknown argument");
    }
  }
  const json::value* id = args.if_contains("contest");
  if (id == nullptr || !id->is_string()) {
    return refuse(Refusal::bad_command, "args.contest: must be a non-empty string");
  }
  const std::string contest(id->as_string());
  if (session_.find_contest(contest) == nullptr) {
    return refuse(Refusal::unknown_contest, "no contest \"" + contest + "\"");
  }
  const ContestHistory h = history(contest);
  if (auto r = may_conclude(h)) return *r;
  if (auto s = store_.put_meta(concluded_key(contest), "1"); !s) return storage(s.error());
  return json::object{{"contest", contest},
                      {"state", "concluded"},
                      {"elected", string_array(h.progress.elected)},
                      {"elected_alternates", string_array(h.progress.elected_alternates)},
                      {"seats_unfilled", h.last_next->seats},
                      {"no_one_elected", h.progress.elected.empty()}};
}

Checked<json::object> ResultsBook::countersign(const std::string& contest, std::uint32_t round,
                                               std::string_view body) {
  std::string stored;
  {
    std::shared_lock lock(mutex_);
    auto it = state_.closed.find(RoundKey{contest, round});
    if (it == state_.closed.end()) {
      return refuse(Refusal::not_found,
                    "no minutes for " + contest + " round " + std::to_string(round));
    }
    stored = it->second.envelope;
  }
  auto env = crypto::parse_envelope(stored);
  if (!env) return refuse(Refusal::internal, "stored minutes are not an envelope");
  auto offered = parse_countersignatures(body, *env);
  if (!offered) return offered.error();
  auto signed_env = add_countersignatures(*env, *offered, session_);
  if (!signed_env) return signed_env.error();
  const std::string text = crypto::serialize(*signed_env);
  if (auto s = store_.begin(); !s) return storage(s.error());
  if (auto s = store_.put_meta(minutes_key(contest, round), text); !s) {
    store_.rollback();
    return storage(s.error());
  }
  if (auto s = store_.commit(); !s) {
    store_.rollback();
    return storage(s.error());
  }
  {
    std::unique_lock lock(mutex_);
    state_.closed.at(RoundKey{contest, round}).envelope = text;
  }
  return json::object{
      {"contest", contest},
      {"round", round},
      {"certification",
       to_json(certification(*signed_env, session_, station_key_.public_key()), session_)}};
}

std::optional<RoundBallot> ResultsBook::ballot(std::string_view contest,
                                               std::uint32_t round) const {
  std::shared_lock lock(mutex_);
  auto it = state_.ballots.find(RoundKey{std::string(contest), round});
  if (it == state_.ballots.end()) return std::nullopt;
  return it->second;
}

Checked<json::object> ResultsBook::results(const std::string& contest, std::uint32_t round) const {
  std::string stored;
  {
    std::shared_lock lock(mutex_);
    auto it = state_.closed.find(RoundKey{contest, round});
    if (it == state_.closed.end()) {
      return refuse(Refusal::not_found, "no minutes for " + contest + " round " +
                                            std::to_string(round) + " (not closed)");
    }
    stored = it->second.envelope;
  }
  auto env = crypto::parse_envelope(stored);
  if (!env) return refuse(Refusal::internal, "stored minutes are not an envelope");
  json::object out = json::parse(stored).as_object();
  out["certification"] =
      to_json(certification(*env, session_, station_key_.public_key()), session_);
  return out;
}

Checked<json::object> ResultsBook::proof(const std::string& contest, std::uint32_t round,
                                         std::string_view ballot_hash) const {
  std::shared_lock lock(mutex_);
  auto it = boxes_.find(RoundKey{contest, round});
  if (it == boxes_.end()) {
    return refuse(Refusal::round_state, "round " + std::to_string(round) + " of contest " +
                                            contest + " is not closed: no ballot box yet");
  }
  return box_inclusion_proof(it->second, ballot_hash);
}

void ResultsBook::annotate_status(json::object& status) const {
  std::shared_lock lock(mutex_);
  for (json::value& cv : status.at("contests").as_array()) {
    json::object& c = cv.as_object();
    const std::string id(c.at("id").as_string());
    for (json::value& rv : c.at("rounds").as_array()) {
      json::object& r = rv.as_object();
      const RoundKey key{id, r.at("round").to_number<std::uint32_t>()};
      if (auto b = state_.ballots.find(key); b != state_.ballots.end()) {
        // Places only: the list is GET /v1/ballot's; status never names a candidate, so that it
        // cannot be mistaken for (or grepped as) ballot contents.
        r["seats"] = b->second.seats;
        r["candidates"] = b->second.candidates.size();
      }
      if (auto m = state_.closed.find(key); m != state_.closed.end()) {
        auto env = crypto::parse_envelope(m->second.envelope);
        json::object minutes{{"outcome", m->second.outcome}};
        if (env) {
          minutes["certification"] =
              to_json(certification(*env, session_, station_key_.public_key()), session_);
        }
        r["minutes"] = std::move(minutes);
      }
    }
    const ContestHistory h = history_locked(state_, id);
    c["state"] = contest_state(h);
    c["elected"] = string_array(h.progress.elected);
    c["elected_alternates"] = string_array(h.progress.elected_alternates);
    if (const std::string& from = elect_from(id); !from.empty()) c["elect_from"] = from;
  }
}

}  // namespace tallystation::station
