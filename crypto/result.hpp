#pragma once
// Errors as values at the crypto boundary.
//
// Every function in crypto/ that reads untrusted bytes (PEM, base64, hex, JSON envelopes, proofs)
// returns a Result<T>: either a value or an Errc saying precisely what was wrong. Nothing here
// throws on hostile input. Result is a plain value type; thread safety is that of T.
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace tallystation::crypto {

// Stable values: they appear in logs and test expectations. Append only.
enum class Errc : std::uint8_t {
  bad_hex = 1,
  bad_base64 = 2,
  bad_json = 3,             // the envelope is not the JSON object of CONTRACT.md section 1
  wrong_payload_type = 4,   // payloadType differs from the expected one
  unknown_keyid = 5,        // no trusted key has this keyid
  bad_signature_length = 6, // e.g. an Ed25519 signature that is not 64 bytes
  wrong_key_type = 7,       // a key of another algorithm than the one required
  bad_signature = 8,        // well formed, but does not verify
  bad_key = 9,              // unparsable or unsupported key material
  io_error = 10,            // file could not be read or written
  bad_proof = 11,           // malformed Merkle proof or tree state
  no_signatures = 12,       // an envelope with an empty signature list
  internal = 13,            // OpenSSL failed where it should not (allocation, ...)
  bad_certificate = 14,
};

// A short stable code such as "bad_base64".
std::string_view to_string(Errc e) noexcept;

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Errc e) : v_(e) {}                  // NOLINT: implicit by design

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  // Precondition: has_value(). Checked: a broken precondition is a programming error.
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // Precondition: !has_value().
  Errc error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Errc> v_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace tallystation::crypto
