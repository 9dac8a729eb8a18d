#pragma once
// Authenticated encryption for the station's staging rows (docs/storage.md "Staging"): AES-256-GCM
// (NIST SP 800-38D) with a fresh random 96-bit nonce per message, through OpenSSL's EVP interface.
//
// Sealed format: nonce (12 bytes) || ciphertext (as long as the plaintext) || tag (16 bytes).
// Random nonces: a key seals at most one round's ballots (a few million messages), far below the
// 2^32 messages NIST allows per key with random 96-bit nonces; and unlike a counter, a random
// nonce is never reused when a transaction that sealed rows is rolled back and its counter values
// are sealed again with other plaintexts.
//
// All functions are thread safe.
#include <optional>
#include <string>
#include <string_view>

#include "crypto/hash.hpp"

namespace tallystation::crypto {

inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kAeadOverhead = kAeadNonceBytes + kAeadTagBytes;

// Seals plaintext under key, binding aad (authenticated, not stored). Throws std::runtime_error
// only if OpenSSL itself fails.
std::string aead_seal(const Digest& key, std::string_view aad, std::string_view plaintext);

// The plaintext, or nullopt if sealed is too short, or was not sealed under this key and aad, or
// was changed in any bit.
std::optional<std::string> aead_open(const Digest& key, std::string_view aad,
                                     std::string_view sealed);

}  // namespace tallystation::crypto
