#pragma once
// The insides of PublicKey and SecretKey, shared by keys.cpp, secret_key.cpp and x509.cpp.
// Private to crypto/.
#include <openssl/evp.h>

#include <string>

#include "crypto/detail/ctx_pool.hpp"
#include "crypto/detail/openssl_ptr.hpp"
#include "crypto/keys.hpp"

namespace tallystation::crypto {

struct PublicKey::Impl {
  detail::PkeyPtr pkey;
  // Verification contexts kept for reuse (see verify() in keys.cpp): Ed25519 uses a digest-verify
  // context, ECDSA a plain verify context over the SHA-256 we compute ourselves.
  mutable detail::CtxPool<EVP_MD_CTX, EVP_MD_CTX_free> ed25519_ctxs;
  mutable detail::CtxPool<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ecdsa_ctxs;
};

struct SecretKey::Impl {
  detail::PkeyPtr pkey;  // EVP_PKEY_free cleanses the private key material
  // Ed25519 signing contexts kept for reuse (see sign() in secret_key.cpp).
  mutable detail::CtxPool<EVP_MD_CTX, EVP_MD_CTX_free> sign_ctxs;

  // The SecretKey owning pkey, with its public half. bad_key if the public half does not encode.
  static Result<SecretKey> adopt(detail::PkeyPtr pkey);
  static EVP_PKEY* pkey_of(const SecretKey& key) { return key.impl_->pkey.get(); }
};

namespace detail {

// The key types the contract allows (CONTRACT.md section 1); anything else is wrong_key_type.
Result<KeyType> key_type_of(EVP_PKEY* pkey);

// i2d_PUBKEY: the DER SubjectPublicKeyInfo, or empty on failure.
std::string spki_der(EVP_PKEY* pkey);

// The digest a signature of this key type is over: none for Ed25519 (PureEdDSA, RFC 8032
// section 5.1), SHA-256 for ECDSA P-256.
inline const char* digest_name(KeyType t) {
  return t == KeyType::ed25519 ? nullptr : "SHA256";
}

}  // namespace detail
}  // namespace tallystation::crypto
