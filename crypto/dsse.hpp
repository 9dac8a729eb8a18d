#pragma once
// DSSE envelopes (in-toto / Sigstore "Dead Simple Signing Envelope" v1), the one signed-object
// format of tallystation. Wire form and payload types: CONTRACT.md section 1, docs/crypto.md.
//
// An Envelope holds the payload exactly as received (decoded from base64, never re-serialised) and
// raw signature bytes. Value type; no shared state; all functions thread safe.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/result.hpp"

namespace tallystation::crypto {

namespace payload_type {
inline constexpr std::string_view kBallot = "application/vnd.tallystation.ballot+json";
inline constexpr std::string_view kReceipt = "application/vnd.tallystation.receipt+json";
inline constexpr std::string_view kCommand = "application/vnd.tallystation.command+json";
inline constexpr std::string_view kCheckpoint = "application/vnd.tallystation.checkpoint+json";
inline constexpr std::string_view kResult = "application/vnd.tallystation.result+json";
}  // namespace payload_type

struct Signature {
  std::string keyid;  // lowercase hex, as on the wire
  std::string sig;    // raw signature bytes (decoded from base64)
  bool operator==(const Signature&) const = default;
};

struct Envelope {
  std::string payload;       // raw payload bytes
  std::string payload_type;
  std::vector<Signature> signatures;
  bool operator==(const Envelope&) const = default;
};

// PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body.
std::string pae(std::string_view payload_type, std::string_view payload);

// Parses {"payload","payloadType","signatures":[{"keyid","sig"}]}. Bad JSON or missing/mistyped
// members: bad_json; bad base64 in payload or sig: bad_base64. Unknown extra members are ignored
// (the DSSE specification allows them), an empty signature list is accepted here and refused by
// verify().
Result<Envelope> parse_envelope(std::string_view json);
// The same answer as parse_envelope for every input, by a full JSON parser (duplicate member
// names refused at every level) and nothing else. parse_envelope reads the shape nearly every
// producer writes (the three members, signatures of exactly keyid and sig, strings of printable
// ASCII without escapes) in one pass, and hands any other text to this one; the tests and the
// fuzz target compare the two.
Result<Envelope> parse_envelope_reference(std::string_view json);

// Compact JSON, members in the order payload, payloadType, signatures.
std::string serialize(const Envelope& env);

// A signature over PAE(env.payload_type, env.payload) by key.
Signature sign_envelope(const SecretKey& key, std::string_view payload_type,
                        std::string_view payload);
// A new envelope with one signature.
Envelope make_envelope(const SecretKey& key, std::string_view payload_type,
                       std::string_view payload);

// A set of trusted public keys, by keyid.
class KeySet {
 public:
  void add(const PublicKey& key) { keys_.insert_or_assign(key.keyid(), key); }
  const PublicKey* find(std::string_view keyid) const;
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::map<std::string, PublicKey, std::less<>> keys_;
};

// Verifies one signature of env against the trusted keys: unknown_keyid, bad_signature_length,
// bad_signature, or Ok.
Status verify_signature(const Envelope& env, const Signature& s, const KeySet& trusted);

// Verifies the envelope: payload_type must equal expected_type (else wrong_payload_type), there must
// be at least one signature (else no_signatures). Returns the keyids whose signatures verify,
// sorted and without repeats; signatures by unknown keys or that fail are left out. If none
// verifies, returns the error of the first signature (unknown_keyid, bad_signature_length,
// bad_signature).
Result<std::vector<std::string>> verify_envelope(const Envelope& env,
                                                 std::string_view expected_type,
                                                 const KeySet& trusted);

}  // namespace tallystation::crypto
