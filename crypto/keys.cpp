#include "crypto/keys.hpp"

#include <cstring>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <array>

#include "crypto/detail/key_impl.hpp"
#include "crypto/detail/pem.hpp"
#include "crypto/hash.hpp"

namespace tallystation::crypto {

using detail::MdCtxPtr;
using detail::PkeyCtxPtr;
using detail::PkeyPtr;

namespace {

// ECDSA P-256 DER signatures are SEQUENCE { INTEGER r, INTEGER s }: at most 72 bytes, at least 8.
constexpr std::size_t kMaxEcdsaSigLen = 72;
constexpr std::size_t kMinEcdsaSigLen = 8;
constexpr std::size_t kEd25519SigLen = 64;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

MdCtxPtr new_ed25519_ctx(EVP_PKEY* pkey) {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
  if (!ctx ||
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey, nullptr) != 1) {
    return nullptr;
  }
  return ctx;
}

PkeyCtxPtr new_ecdsa_ctx(EVP_PKEY* pkey) {
  PkeyCtxPtr ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr)};
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), detail::sha256_md()) != 1) {
    return nullptr;
  }
  return ctx;
}

// Whether a verification context may be used again after EVP_DigestVerify (Ed25519) or
// EVP_PKEY_verify (ECDSA), including after a failed verification. OpenSSL's own `openssl speed`
// relies on this, and EVP_PKEY_verify documents it, but OpenSSL 3.2 made EVP_DigestVerify one-shot
// per initialisation; so the library asks once per process, with a published key (RFC 8032
// section 7.1 TEST 1) and an ephemeral P-256 key, and falls back to a fresh context per call.
bool ed25519_ctx_reusable() {
  static const bool reusable = [] {
    const std::string pub =
        from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").value();
    std::string sig = from_hex(
                          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                          "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
                          .value();
    PkeyPtr pkey{
        EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytes(pub), pub.size())};
    MdCtxPtr ctx = pkey ? new_ed25519_ctx(pkey.get()) : nullptr;
    if (!ctx) return false;
    std::string bad = sig;
    bad[0] = static_cast<char>(bad[0] ^ 1);
    const unsigned char empty = 0;
    const bool ok = EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), &empty, 0) == 1 &&
                    EVP_DigestVerify(ctx.get(), bytes(bad), bad.size(), &empty, 0) != 1 &&
                    EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), &empty, 0) == 1;
    detail::clear_errors();
    return ok;
  }();
  return reusable;
}

bool ecdsa_ctx_reusable() {
  static const bool reusable = [] {
    PkeyPtr pkey{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    if (!pkey) return false;
    const Digest d = sha256("probe");
    PkeyCtxPtr sctx{EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr)};
    std::array<unsigned char, 80> sig{};
    std::size_t len = sig.size();
    if (!sctx || EVP_PKEY_sign_init(sctx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(sctx.get(), detail::sha256_md()) != 1 ||
        EVP_PKEY_sign(sctx.get(), sig.data(), &len, d.data(), d.size()) != 1) {
      detail::clear_errors();
      return false;
    }
    PkeyCtxPtr ctx = new_ecdsa_ctx(pkey.get());
    if (!ctx) return false;
    Digest other = d;
    other[0] ^= 1;
    const bool ok = EVP_PKEY_verify(ctx.get(), sig.data(), len, d.data(), d.size()) == 1 &&
                    EVP_PKEY_verify(ctx.get(), sig.data(), len, other.data(), other.size()) != 1 &&
                    EVP_PKEY_verify(ctx.get(), sig.data(), len, d.data(), d.size()) == 1;
    detail::clear_errors();
    return ok;
  }();
  return reusable;
}

}  // namespace

namespace detail {

Result<KeyType> key_type_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::ed25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    std::array<char, 64> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &len) != 1) {
      clear_errors();
      return Errc::wrong_key_type;  // explicit curve parameters: not the named curve P-256
    }
    const std::string_view name(group.data(), len);
    if (name == "prime256v1" || name == "P-256") return KeyType::ecdsa_p256;
  }
  return Errc::wrong_key_type;
}

std::string spki_der(EVP_PKEY* pkey) {
  unsigned char* buf = nullptr;
  const int n = i2d_PUBKEY(pkey, &buf);
  if (n <= 0) {
    clear_errors();
    return {};
  }
  std::string der(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
  OPENSSL_free(buf);
  return der;
}

}  // namespace detail

std::string_view to_string(KeyType t) noexcept {
  switch (t) {
    case KeyType::ed25519:
      return "ed25519";
    case KeyType::ecdsa_p256:
      return "ecdsa-p256";
  }
  return "unknown";
}

Result<PublicKey> PublicKey::from_der(std::string_view der) {
  if (der.empty() || der.size() > 4096) return Errc::bad_key;
  // An Ed25519 SubjectPublicKeyInfo has exactly one DER encoding (RFC 8410 section 4: the
  // algorithm identifier without parameters, then the 32-byte key): taken as it is, without
  // OpenSSL's decoder and re-encoder, which cost more than a signature check. Anything else
  // goes the general way below.
  static constexpr unsigned char kEd25519Prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                     0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  if (der.size() == sizeof kEd25519Prefix + 32 &&
      std::memcmp(der.data(), kEd25519Prefix, sizeof kEd25519Prefix) == 0) {
    PkeyPtr pkey{EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             bytes(der) + sizeof kEd25519Prefix, 32)};
    if (!pkey) {
      detail::clear_errors();
      return Errc::bad_key;
    }
    PublicKey key;
    key.type_ = KeyType::ed25519;
    key.der_ = std::string(der);
    key.keyid_ = to_hex(sha256(key.der_));
    auto impl = std::make_shared<Impl>();
    impl->pkey = std::move(pkey);
    key.impl_ = std::move(impl);
    return key;
  }
  const auto* p = bytes(der);
  const auto* const end = p + der.size();
  PkeyPtr pkey{d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()))};
  if (!pkey || p != end) {  // trailing bytes are not a SubjectPublicKeyInfo
    detail::clear_errors();
    return Errc::bad_key;
  }
  auto type = detail::key_type_of(pkey.get());
  if (!type) return type.error();
  if (*type == KeyType::ecdsa_p256) {
    // One encoding per key, so that one key has one keyid: the uncompressed point (SEC 1 section
    // 2.3.3), as nearly every tool writes it.
    if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
      detail::clear_errors();
      return Errc::bad_key;
    }
  }
  PublicKey key;
  key.type_ = *type;
  key.der_ = detail::spki_der(pkey.get());
  if (key.der_.empty()) return Errc::bad_key;
  key.keyid_ = to_hex(sha256(key.der_));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  key.impl_ = std::move(impl);
  return key;
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  auto der = detail::pem_decode(pem, "PUBLIC KEY");
  if (!der) return der.error();
  return from_der(*der);
}

std::string PublicKey::pem() const {
  return detail::pem_encode(der_, "PUBLIC KEY");
}

Status PublicKey::verify(std::string_view message, std::string_view sig) const {
  int rc = 0;
  if (type_ == KeyType::ed25519) {
    if (sig.size() != kEd25519SigLen) return Errc::bad_signature_length;
    auto ctx = impl_->ed25519_ctxs.take();
    if (!ctx) ctx = new_ed25519_ctx(impl_->pkey.get());
    if (!ctx) {
      detail::clear_errors();
      return Errc::internal;
    }
    rc = EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), bytes(message), message.size());
    if (ed25519_ctx_reusable()) impl_->ed25519_ctxs.give(std::move(ctx));
  } else {
    if (sig.size() < kMinEcdsaSigLen || sig.size() > kMaxEcdsaSigLen) {
      return Errc::bad_signature_length;
    }
    const Digest digest = sha256(message);
    auto ctx = impl_->ecdsa_ctxs.take();
    if (!ctx) ctx = new_ecdsa_ctx(impl_->pkey.get());
    if (!ctx) {
      detail::clear_errors();
      return Errc::internal;
    }
    // OpenSSL checks that the DER is canonical (it re-encodes and compares), so a signature has
    // one accepted encoding.
    rc = EVP_PKEY_verify(ctx.get(), bytes(sig), sig.size(), digest.data(), digest.size());
    if (ecdsa_ctx_reusable()) impl_->ecdsa_ctxs.give(std::move(ctx));
  }
  if (rc != 1) {
    detail::clear_errors();
    return Errc::bad_signature;
  }
  return Ok{};
}

}  // namespace tallystation::crypto
