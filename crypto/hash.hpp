#pragma once
// SHA-256 and the byte codecs used on the wire (lowercase hex, standard base64 with padding).
//
// Byte strings are std::string / std::string_view throughout crypto/: payloads are JSON text and
// signatures travel base64-encoded, so one byte-container type keeps call sites simple.
// All functions are thread safe (no shared state). Codecs are OpenSSL's where it has one.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace tallystation::crypto {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view data);

// HMAC-SHA-256 (RFC 2104, test vectors RFC 4231). The key may be of any length; the station uses
// 32 random bytes. Throws std::runtime_error only if OpenSSL itself fails.
Digest hmac_sha256(std::string_view key, std::string_view data);

// Incremental SHA-256 for data that arrives in pieces (files, streams). Not thread safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(std::string_view data);
  Digest finish();  // the object may not be used after finish()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lowercase hex.
std::string to_hex(std::string_view bytes);
std::string to_hex(const Digest& d);
// Accepts upper or lower case; odd length or a non-hex character is Errc::bad_hex.
Result<std::string> from_hex(std::string_view hex);
// Exactly 64 hex characters.
Result<Digest> digest_from_hex(std::string_view hex);

// Standard alphabet, with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
// Strict: rejects missing/extra padding, whitespace, characters outside the alphabet.
Result<std::string> base64_decode(std::string_view b64);

// Cryptographically secure random bytes (OpenSSL's DRBG).
std::string random_bytes(std::size_t n);

// Constant-time equality of two byte strings of equal length (false if lengths differ).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace tallystation::crypto
