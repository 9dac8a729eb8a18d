#pragma once
// Writes one valid audit bundle (docs/audit.md "The bundle") without a running station, for the
// season generator (tallystation-genseason) and its benchmark. It plays every part itself: the
// officials sign commands, the terminal signs ballots, the station signs minutes and both members
// countersign them. Every command is decided by the congress rules (congress::apply) exactly as
// the station's ledger decides it, and every round's minutes are written by the station's own
// builder (station::minutes_payload) from the state the rules leave, so what `tally-audit verify`
// replays is what a station would have stored. A command the rules refuse is a bug of the caller:
// std::logic_error with the rule's code and message.
//
// Not thread safe; one writer per bundle (the generator runs one per worker thread).
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "station/config/session.hpp"
#include "tally/congress/congress.hpp"

namespace tallystation::station::tools {

// The keys of one congress: fresh Ed25519 keys for o1, m1, m2, the terminal t1 and the station.
struct CongressKeys {
  crypto::SecretKey official = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey member1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey member2 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey terminal = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey station = crypto::SecretKey::generate(crypto::KeyType::ed25519);
};

// The members of a session definition that name these keys: `officials` (o1),
// `counting_committee` (m1, m2; both must sign) and `terminals` (t1).
void add_key_members(boost::json::object& session, const CongressKeys& keys);

// keys.json of a bundle signed with these keys (docs/audit.md "The bundle"), t1 enrolled.
boost::json::object keys_json(const CongressKeys& keys);

// Writes `bytes` to `p`; std::runtime_error naming the file if it cannot.
void write_file(const std::filesystem::path& p, std::string_view bytes);

class BundleWriter {
 public:
  // `session_text` is written to session.json as given; it must name the keys as
  // add_key_members() does. Throws std::runtime_error if the session does not parse or `out`
  // exists.
  BundleWriter(std::filesystem::path out, std::string session_text, const CongressKeys& keys);

  // Signs, decides and logs command `name` from o1. Throws std::logic_error if refused.
  void command(const std::string& name, boost::json::object args);

  // Which marks a ballot carries, given the round's ballot (candidates in ballot order, seats).
  using Marker =
      std::function<std::vector<std::string>(const congress::RoundBallot& ballot, std::mt19937_64& rng)>;

  // One whole round: issue_tokens for `ballots` (in batches of at most 10000), open_round with
  // `open_args` (besides contest and round), `ballots` ballots cast with tokens derived from
  // `token_seed`, close_round; then the round's box, tokens and minutes (countersigned by both
  // members) are written. Returns the contest's state after the round.
  const congress::ContestState& round(const std::string& contest, std::uint32_t round,
                                      std::uint64_t ballots, boost::json::object open_args,
                                      const Marker& marker, std::mt19937_64& rng,
                                      const std::string& token_seed);

  const congress::State& state() const { return state_; }

  // commands.jsonl, command_log.json and keys.json. Call once, last.
  void finish();

 private:
  std::filesystem::path out_;
  const CongressKeys& keys_;
  Session session_;
  congress::SessionRules rules_;
  congress::State state_;
  congress::Environment env_;
  std::vector<std::string> box_;  // the payloads of the round being closed (for env_.count)
  crypto::Digest head_{};
  std::string log_;
  std::uint64_t seq_ = 0;
};

}  // namespace tallystation::station::tools
