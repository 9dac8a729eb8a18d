#include "station/tools/bundle_writer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "station/app/ledger.hpp"
#include "station/app/messages.hpp"
#include "station/app/minutes.hpp"

namespace tallystation::station::tools {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::object person(const char* id, const crypto::SecretKey& k) {
  return json::object{{"id", id}, {"name", id}, {"public_key", k.public_key().pem()}};
}

}  // namespace

void write_file(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(p.string() + ": cannot be written");
}

json::object keys_json(const CongressKeys& keys) {
  auto who = [](const char* id, const crypto::SecretKey& k) {
    return json::object{{"id", id}, {"keyid", k.keyid()}, {"public_key", k.public_key().pem()}};
  };
  return json::object{
      {"station", json::object{{"keyid", keys.station.keyid()},
                               {"public_key", keys.station.public_key().pem()}}},
      {"officials", json::array{who("o1", keys.official)}},
      {"counting_committee", json::array{who("m1", keys.member1), who("m2", keys.member2)}},
      {"terminals", json::array{json::object{{"id", "t1"},
                                             {"keyid", keys.terminal.keyid()},
                                             {"public_key", keys.terminal.public_key().pem()},
                                             {"state", "enrolled"}}}}};
}

void add_key_members(json::object& session, const CongressKeys& keys) {
  session["officials"] = json::array{person("o1", keys.official)};
  session["counting_committee"] =
      json::object{{"members", json::array{person("m1", keys.member1), person("m2", keys.member2)}},
                   {"required_signatures", 2}};
  session["terminals"] = json::array{
      json::object{{"id", "t1"}, {"public_key", keys.terminal.public_key().pem()}}};
}

BundleWriter::BundleWriter(fs::path out, std::string session_text, const CongressKeys& keys)
    : out_(std::move(out)), keys_(keys) {
  if (fs::exists(out_)) throw std::runtime_error(out_.string() + ": already exists");
  auto parsed = parse_session(session_text);
  if (!parsed) throw std::runtime_error("session: " + parsed.error().message);
  session_ = std::move(*parsed);
  rules_ = congress_rules(session_, keys_.station.keyid());
  state_ = congress::initial_state(rules_);
  env_.keyid_of = [](std::string_view pem) -> std::optional<std::string> {
    auto key = crypto::PublicKey::from_pem(pem);
    if (!key) return std::nullopt;
    return key->keyid();
  };
  env_.count = [this](const tally::Contest& contest) { return count_box(contest, box_); };
  head_ = *crypto::digest_from_hex(session_.config_hash);
  fs::create_directories(out_);
  write_file(out_ / "session.json", session_text);
}

void BundleWriter::command(const std::string& name, json::object args) {
  const std::string payload = make_command_payload(session_.id, ++seq_, "o1", name, args);
  const congress::ParsedCommand parsed = congress::parse_command(payload);
  if (!parsed.command) {
    throw std::logic_error(name + ": " + std::string(congress::to_string(parsed.refusal.code)) +
                           ": " + parsed.refusal.message);
  }
  congress::Decision d = congress::apply(rules_, state_, *parsed.command, "o1", env_);
  if (!d.applied) {
    throw std::logic_error(session_.id + " " + name + ": " +
                           std::string(congress::to_string(d.refusal.code)) + ": " +
                           d.refusal.message);
  }
  state_ = std::move(d.applied->state);
  const std::string envelope = sign_command(keys_.official, payload);
  head_ = command_entry_hash(head_, envelope);
  log_ += envelope;
  log_ += '\n';
}

const congress::ContestState& BundleWriter::round(const std::string& contest, std::uint32_t round,
                                                  std::uint64_t ballots, json::object open_args,
                                                  const Marker& marker, std::mt19937_64& rng,
                                                  const std::string& token_seed) {
  const ContestDef* def = session_.find_contest(contest);
  if (def == nullptr) throw std::logic_error("no contest " + contest);
  for (std::uint64_t left = ballots; left > 0;) {
    const std::uint64_t n = std::min<std::uint64_t>(left, 10000);
    command("issue_tokens", {{"contest", contest}, {"round", round}, {"count", n}});
    left -= n;
  }
  open_args["contest"] = contest;
  open_args["round"] = round;
  command("open_round", std::move(open_args));
  const congress::RoundBallot ballot = *state_.contest(contest).rounds.at(round).ballot;

  // The box: payloads sorted by leaf hash; the tokens' hashes sorted bytewise.
  std::vector<std::pair<crypto::Digest, std::string>> box(ballots);
  std::vector<crypto::Digest> tokens(ballots);
  for (std::uint64_t i = 0; i < ballots; ++i) {
    const std::string token = crypto::to_hex(
        crypto::sha256(token_seed + ":" + contest + ":" + std::to_string(round) + ":" +
                       std::to_string(i)));
    box[i].second = make_ballot_payload(session_.id, contest, round, token, marker(ballot, rng));
    box[i].first = crypto::leaf_hash(box[i].second);
    tokens[i] = token_hash(token);
  }
  std::sort(box.begin(), box.end());
  std::sort(tokens.begin(), tokens.end());
  box_.clear();
  std::vector<crypto::Digest> leaves;
  leaves.reserve(box.size());
  std::string lines;
  for (auto& [leaf, payload] : box) {
    leaves.push_back(leaf);
    lines += sign_ballot(keys_.terminal, payload);
    lines += '\n';
    box_.push_back(std::move(payload));
  }
  const std::string head_before_close = crypto::to_hex(head_);
  command("close_round", {{"contest", contest}, {"round", round}});
  box_.clear();

  const fs::path dir = out_ / "rounds" / contest / std::to_string(round);
  fs::create_directories(dir);
  write_file(dir / "ballots.jsonl", lines);
  std::string token_lines;
  token_lines.reserve(tokens.size() * 65);
  for (const crypto::Digest& h : tokens) token_lines += crypto::to_hex(h) + "\n";
  write_file(dir / "tokens.txt", token_lines);

  // The minutes, as the station's results book writes them at close.
  const congress::ContestState& cs = state_.contest(contest);
  const congress::RoundState& rs = cs.rounds.at(round);
  MinutesFacts f;
  f.session_id = session_.id;
  f.config_hash = session_.config_hash;
  f.convened = session_.convened;
  f.contest = def;
  f.round = round;
  f.ballot = *rs.ballot;
  if (rs.present) f.present = static_cast<std::uint32_t>(*rs.present);
  f.excluded = rs.excluded;
  f.people = congress::people_minutes(session_.people, state_, contest, round);
  f.ballots_issued = rs.tokens_issued;
  f.box_root = crypto::to_hex(crypto::merkle_root(leaves));
  f.audit_log_head = head_before_close;
  f.tokens_root = crypto::to_hex(tokens_root(tokens));
  f.elect_from = def->elect_from;
  const std::string payload = minutes_payload(f, ballots, *rs.result, *cs.last_next, cs);
  crypto::Envelope env =
      crypto::make_envelope(keys_.station, crypto::payload_type::kResult, payload);
  for (const crypto::SecretKey* k : {&keys_.member1, &keys_.member2})
    env.signatures.push_back(crypto::sign_envelope(*k, env.payload_type, env.payload));
  write_file(dir / "minutes.json", crypto::serialize(env) + "\n");
  return cs;
}

void BundleWriter::finish() {
  write_file(out_ / "commands.jsonl", log_);
  write_file(out_ / "command_log.json",
        json::serialize(json::object{{"size", seq_}, {"head", crypto::to_hex(head_)}}) + "\n");
  write_file(out_ / "keys.json", json::serialize(keys_json(keys_)) + "\n");
}

}  // namespace tallystation::station::tools
