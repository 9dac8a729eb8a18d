#pragma once
// The counting minutes of one contest round (CONTRACT.md section 4, docs/protocol.md "Results"):
// what the round was voted on (RoundBallot), what the contest has elected so far
// (ContestProgress), and the builder that counts a closed round's ballot box with the tally/
// engine and writes the exact result payload bytes that the station signs and committee members
// countersign.
//
// Pure functions over values (no store, no clock, no key): the caller supplies the ballot box
// and the facts, signs the payload and stores it. Thread safe.
#include <boost/json/array.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.hpp"
#include "station/config/session.hpp"
#include "tally/congress/congress.hpp"
#include "tally/contest.hpp"
#include "tally/counter.hpp"
#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::station {

// What one round of a contest is voted on, fixed when the round opens (the congress rules decide
// it: tally/congress/congress.hpp).
using RoundBallot = congress::RoundBallot;

// The ids as a JSON array of strings, in their order (the minutes' and answers' id lists).
boost::json::array string_array(const std::vector<std::string>& ids);

// Round 1 of a contest as the session defines it.
RoundBallot first_round_ballot(const ContestDef& contest);
// Compact JSON {"seats","alternates","alternates_only","candidates":[{"id","name"}]} (stored with
// the round) and its strict inverse (nullopt for anything else).
std::string to_json(const RoundBallot& ballot);
std::optional<RoundBallot> parse_round_ballot(std::string_view json);

// Everything the minutes state besides the count itself.
struct MinutesFacts {
  std::string session_id;
  std::string config_hash;  // hex
  std::uint32_t convened = 0;
  const ContestDef* contest = nullptr;  // required
  std::uint32_t round = 1;
  RoundBallot ballot;
  std::optional<std::uint32_t> present;  // attendance, if recorded
  std::uint64_t ballots_issued = 0;      // tokens issued for the round
  std::string box_root;                  // hex RFC 6962 root of the box sorted by leaf hash
  std::string audit_log_head;            // hex head of the command log at close
  // The round's issued tokens: hex RFC 6962 root over their sorted SHA-256 hashes
  // (tokens_root()); empty: the minutes carry no `tokens` member (docs/audit.md).
  std::string tokens_root;
  // The contest as the congress rules hold it before this round closes (its `known` already
  // holds this round's list, as open_round left it).
  congress::ContestState before;
  // Elect-from contests: the contest whose elected members stood (session `elect_from`).
  std::string elect_from;
  // Excluded from the basis as the round was counted: with a register the roll's (the rules'
  // RoundState::excluded); nullopt: the contest's `excluded`.
  std::optional<std::uint64_t> excluded;
  // With a register (congress::people_minutes): the minutes' `attendance` and, once the contest
  // is complete, `composition`, as compact JSON; empty: the member is left out.
  congress::PeopleMinutes people;
};

// The tally/ engine's view of the round (congress::round_contest over the session's contest).
tally::Contest tally_contest(const MinutesFacts& facts);

// Counts a round's ballot box (accepted payloads) as `contest`, one payload at a time, so that a
// box read from the store need not be held in memory whole. A payload that does not parse is a
// broken invariant (std::runtime_error).
class BoxCounter {
 public:
  explicit BoxCounter(const tally::Contest& contest) : counter_(contest) {}
  void add(std::string_view payload);
  tally::Result finish() { return counter_.finish(); }

 private:
  tally::Counter counter_;
  std::vector<std::string_view> marks_;
};
tally::Result count_box(const tally::Contest& contest, std::span<const std::string> box_payloads);

struct Minutes {
  std::string payload;  // the exact bytes that are signed (CONTRACT.md section 4 + extras)
  tally::Result result;
  tally::FurtherRound next;
  congress::ContestState after;  // `before` with this round counted (congress::record_count)
};

// Counts the ballot box (payloads sorted by leaf hash, as stored), applies the count to the
// contest as close_round does (congress::record_count) and writes the minutes. For tools and
// tests that have no command log; the station closes rounds through the congress rules.
Minutes make_minutes(const MinutesFacts& facts, std::span<const std::string> box_payloads);

// The payload alone, from a result already counted (tests and recounts).
std::string minutes_payload(const MinutesFacts& facts, std::uint64_t box_size,
                            const tally::Result& result, const tally::FurtherRound& next,
                            const congress::ContestState& after);

// The commitment to a round's issued tokens (docs/audit.md "Tokens"): the RFC 6962 root over the
// token hashes sorted bytewise, each leaf the 32 raw bytes of SHA-256(token).
crypto::Digest tokens_root(std::span<const crypto::Digest> sorted_token_hashes);

}  // namespace tallystation::station
