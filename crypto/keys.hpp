#pragma once
// Signing keys: Ed25519 (required, RFC 8032) and ECDSA P-256 with SHA-256 (FIPS 186-4), as the
// contract (CONTRACT.md section 1, docs/crypto.md) fixes them.
//
// PublicKey and SecretKey own their OpenSSL key object through a shared, immutable handle: copies
// are cheap and refer to the same key. Both are safe to use from several threads at once (sign
// makes a context per call; verify takes one from a small per-key pool, see docs/crypto.md).
// SecretKey material is never printable; the only way out is pkcs8_pem(), named so at the call
// site, and the OpenSSL object clears its memory when freed.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace tallystation::crypto {

enum class KeyType : std::uint8_t { ed25519 = 1, ecdsa_p256 = 2 };
std::string_view to_string(KeyType t) noexcept;  // "ed25519", "ecdsa-p256"

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo). Keys of other types are Errc::wrong_key_type.
  static Result<PublicKey> from_pem(std::string_view pem);
  static Result<PublicKey> from_der(std::string_view der);

  KeyType type() const noexcept { return type_; }
  const std::string& der() const noexcept { return der_; }  // SubjectPublicKeyInfo DER
  std::string pem() const;
  // Lowercase hex SHA-256 of der() (CONTRACT.md section 1).
  const std::string& keyid() const noexcept { return keyid_; }

  // Verifies sig over message: Ed25519 over the message itself; ECDSA over SHA-256(message),
  // sig DER-encoded. Ed25519 signatures that are not 64 bytes are bad_signature_length.
  Status verify(std::string_view message, std::string_view sig) const;

  struct Impl;

 private:
  friend class SecretKey;  // a SecretKey holds its PublicKey
  PublicKey() = default;
  std::shared_ptr<const Impl> impl_;
  KeyType type_{KeyType::ed25519};
  std::string der_;
  std::string keyid_;
};

class SecretKey {
 public:
  static SecretKey generate(KeyType type);
  // PEM "PRIVATE KEY" (PKCS#8, unencrypted).
  static Result<SecretKey> from_pem(std::string_view pem);
  // The Ed25519 key of a raw 32-byte RFC 8032 secret (seed). For known-answer tests (RFC 8032
  // section 7.1) and interoperability with tools that store raw seeds; stations use generate().
  static Result<SecretKey> from_ed25519_seed(std::string_view seed);

  KeyType type() const noexcept;
  const PublicKey& public_key() const noexcept { return public_; }
  const std::string& keyid() const noexcept { return public_.keyid(); }

  // Ed25519 signs message; ECDSA signs SHA-256(message) and returns DER.
  std::string sign(std::string_view message) const;

  // The secret, as PKCS#8 PEM. Only for writing it to a protected file.
  std::string pkcs8_pem() const;

  struct Impl;

 private:
  SecretKey() = default;
  std::shared_ptr<const Impl> impl_;
  PublicKey public_;
};

// Files. Secret keys are written with mode 0600 (created so, never widened afterwards).
Status save_secret_key(const std::filesystem::path& path, const SecretKey& key);
Result<SecretKey> load_secret_key(const std::filesystem::path& path);
Status save_public_key(const std::filesystem::path& path, const PublicKey& key);
Result<PublicKey> load_public_key(const std::filesystem::path& path);

}  // namespace tallystation::crypto
