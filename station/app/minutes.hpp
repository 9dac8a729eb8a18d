#pragma once
// The counting minutes of one contest round (CONTRACT.md section 4, docs/protocol.md "Results"):
// what the round was voted on (RoundBallot), what the contest has elected so far
// (ContestProgress), and the builder that counts a closed round's ballot box with the tally/
// engine and writes the exact result payload bytes that the station signs and committee members
// countersign.
//
// Pure functions over values (no store, no clock, no key): the caller supplies the ballot box
// and the facts, signs the payload and stores it. Thread safe.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.hpp"
#include "station/config/session.hpp"
#include "tally/contest.hpp"
#include "tally/further_round.hpp"
#include "tally/result.hpp"

namespace tallystation::station {

// What one round of a contest is voted on, fixed when the round opens: round 1 takes the session
// definition's list; a run-off or further round takes the list and places the previous minutes
// allow (station/app/further_rounds.hpp). Value type.
struct RoundBallot {
  std::uint32_t seats = 0;
  std::uint32_t alternates = 0;
  // The round fills alternate places only (a tie or shortfall among the alternates): its winners
  // take alternate places, after those already elected.
  bool alternates_only = false;
  std::vector<Candidate> candidates;  // ballot order

  const Candidate* find_candidate(std::string_view id) const;
  friend bool operator==(const RoundBallot& a, const RoundBallot& b) {
    if (a.seats != b.seats || a.alternates != b.alternates ||
        a.alternates_only != b.alternates_only || a.candidates.size() != b.candidates.size()) {
      return false;
    }
    for (std::size_t i = 0; i < a.candidates.size(); ++i) {
      if (a.candidates[i].id != b.candidates[i].id || a.candidates[i].name != b.candidates[i].name)
        return false;
    }
    return true;
  }
};

// Round 1 of a contest as the session defines it.
RoundBallot first_round_ballot(const ContestDef& contest);
// Compact JSON {"seats","alternates","alternates_only","candidates":[{"id","name"}]} (stored with
// the round) and its strict inverse (nullopt for anything else).
std::string to_json(const RoundBallot& ballot);
std::optional<RoundBallot> parse_round_ballot(std::string_view json);

// What a contest has elected over its closed rounds, in the order elected.
struct ContestProgress {
  std::vector<std::string> elected;             // official seats
  std::vector<std::string> elected_alternates;  // alternate places
};

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
  ContestProgress before;                // elected in earlier rounds of the contest
  // Elect-from contests: the contest whose elected members stood (session `elect_from`).
  std::string elect_from;
  // Every candidate of the contest so far (the session's list and later nominations), in order:
  // a further round after unfilled seats is open to all of them not yet elected. Empty: this
  // round's list.
  std::vector<std::string> known_candidates;
};

// The tally/ engine's view of the round (rule set, basis, counts, the round's list and places).
// Rule set names the engine does not know fall back to cpv-2024 (the session refuses them).
tally::Contest tally_contest(const MinutesFacts& facts);

struct Minutes {
  std::string payload;  // the exact bytes that are signed (CONTRACT.md section 4 + extras)
  tally::Result result;
  tally::FurtherRound next;
  ContestProgress after;  // `before` plus this round's elected
};

// Counts the ballot box (payloads sorted by leaf hash, as stored) and writes the minutes.
// Payloads are the station's accepted ballots; a payload that does not parse is a broken
// invariant (std::runtime_error).
Minutes make_minutes(const MinutesFacts& facts, std::span<const std::string> box_payloads);

// The payload alone, from a result already counted (tests and recounts).
std::string minutes_payload(const MinutesFacts& facts, std::uint64_t box_size,
                            const tally::Result& result, const tally::FurtherRound& next,
                            const ContestProgress& after);

// The commitment to a round's issued tokens (docs/audit.md "Tokens"): the RFC 6962 root over the
// token hashes sorted bytewise, each leaf the 32 raw bytes of SHA-256(token).
crypto::Digest tokens_root(std::span<const crypto::Digest> sorted_token_hashes);

// `before` plus what the round elected.
ContestProgress progress_after(const ContestProgress& before, const RoundBallot& ballot,
                               const tally::Result& result);

}  // namespace tallystation::station
