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
  report_storage_failure(e);
  return storage_refusal(e, e.message);
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
  c.outcome = std::string(p.at("outcome").as_string());
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

Checked<json::object> ResultsBook::open_round(const std::string& contest, std::uint32_t round,
                                              const RoundBallot& ballot) {
  if (auto s = store_.put_meta(round_ballot_key(contest, round), to_json(ballot)); !s) {
    return storage(s.error());
  }
  return ballot_json(ballot);
}

Checked<json::object> ResultsBook::close_round(const RoundRow& row, const congress::State& after,
                                               const crypto::Digest& log_head) {
  const ContestDef* contest = session_.find_contest(row.contest);
  if (contest == nullptr) return refuse(Refusal::unknown_contest, "no contest " + row.contest);
  MinutesFacts f;
  f.session_id = session_.id;
  f.config_hash = session_.config_hash;
  f.convened = session_.convened;
  f.contest = contest;
  f.round = row.round;
  const congress::ContestState& cs = after.contest(row.contest);
  const congress::RoundState& rs = cs.rounds.at(row.round);
  f.ballot = *rs.ballot;
  if (rs.present) f.present = static_cast<std::uint32_t>(*rs.present);
  f.excluded = rs.excluded;
  f.people = congress::people_minutes(session_.people, after, row.contest, row.round);
  f.ballots_issued = row.tokens_issued;
  f.box_root = row.box_root;
  f.audit_log_head = crypto::to_hex(log_head);
  auto token_hashes = store_.token_hashes(row.contest, row.round);
  if (!token_hashes) return storage(token_hashes.error());
  f.tokens_root = crypto::to_hex(tokens_root(*token_hashes));
  f.elect_from = elect_from(contest->id);
  Minutes m;
  m.result = *rs.result;
  m.next = *cs.last_next;
  m.after = cs;
  m.payload = minutes_payload(f, row.ballots, m.result, m.next, m.after);
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

Status ResultsBook::conclude(const std::string& contest) {
  return store_.put_meta(concluded_key(contest), "1");
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

void ResultsBook::annotate_status(json::object& status, const congress::State& congress) const {
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
    const congress::ContestState& h = congress.contest(id);
    c["state"] = std::string(h.state());
    c["elected"] = string_array(h.elected);
    c["elected_alternates"] = string_array(h.elected_alternates);
    if (const std::string& from = elect_from(id); !from.empty()) c["elect_from"] = from;
  }
}

}  // namespace tallystation::station
