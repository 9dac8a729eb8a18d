#pragma once
// The station's signed messages as bytes: builders for ballots, commands, receipts and checkpoints
// (used by the station, by tests, and by terminal and official tools), and the strict parsers the
// station applies to untrusted ballot and command payloads. Wire formats: CONTRACT.md sections 1-3,
// docs/protocol.md. Pure functions, thread safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/app/refusal.hpp"

namespace tallystation::station {

// ---- Builders --------------------------------------------------------------------------------

// {"session","contest","round","token","marks"} in that order, compact JSON.
std::string make_ballot_payload(std::string_view session, std::string_view contest,
                                std::uint32_t round, std::string_view token,
                                const std::vector<std::string>& marks);
// {"session","seq","official","command","args"}; `official` is the official's id in the session.
std::string make_command_payload(std::string_view session, std::uint64_t seq,
                                 std::string_view official, std::string_view command,
                                 const boost::json::object& args);
// {"session","contest","round","ballot_hash"}.
std::string make_receipt_payload(std::string_view session, std::string_view contest,
                                 std::uint32_t round, std::string_view ballot_hash_hex);
// {"session","contest","round","ballots","root"}.
std::string make_checkpoint_payload(std::string_view session, std::string_view contest,
                                    std::uint32_t round, std::uint64_t ballots,
                                    std::string_view root_hex);

// The DSSE envelope JSON (the HTTP body) of payload signed by key as the given payload type.
std::string sign_ballot(const crypto::SecretKey& key, std::string_view payload);
std::string sign_command(const crypto::SecretKey& key, std::string_view payload);

// What the station stores of a ballot token: SHA-256 of the token string's bytes.
crypto::Digest token_hash(std::string_view token);
// A fresh token: 32 random bytes, lowercase hex.
std::string make_token();

// ---- Strict parsers --------------------------------------------------------------------------

struct BallotPayload {
  std::string session;
  std::string contest;
  std::uint32_t round = 0;
  std::string token;
  std::vector<std::string> marks;
};

// Exactly the five members, with their types; `round` a positive integer; `marks` an array of
// strings. Anything else is Refusal::malformed; a repeated mark is Refusal::duplicate_mark.
// Whether the ids exist is not checked here.
Checked<BallotPayload> parse_ballot_payload(std::string_view bytes);

}  // namespace tallystation::station
