#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "crypto/detail/key_access.hpp"
#include "crypto/detail/key_impl.hpp"
#include "crypto/detail/pem.hpp"
#include "crypto/hash.hpp"
#include "crypto/keys.hpp"

namespace tallystation::crypto {

using detail::MdCtxPtr;
using detail::PkeyPtr;

EVP_PKEY* detail::secret_pkey(const SecretKey& key) {
  return SecretKey::Impl::pkey_of(key);
}

Result<SecretKey> SecretKey::Impl::adopt(PkeyPtr pkey) {
  auto pub = PublicKey::from_der(detail::spki_der(pkey.get()));
  if (!pub) return Errc::bad_key;
  SecretKey key;
  key.public_ = std::move(*pub);
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  key.impl_ = std::move(impl);
  return key;
}

SecretKey SecretKey::generate(KeyType type) {
  PkeyPtr pkey{type == KeyType::ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  if (!pkey) throw std::runtime_error("crypto: key generation failed");
  auto key = Impl::adopt(std::move(pkey));
  if (!key) throw std::runtime_error("crypto: key generation failed");
  return std::move(*key);
}

Result<SecretKey> SecretKey::from_pem(std::string_view pem) {
  auto der = detail::pem_decode(pem, "PRIVATE KEY");  // PKCS#8 only (RFC 5208, RFC 7468 sec. 10)
  if (!der) return der.error();
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  const auto* const end = p + der->size();
  detail::Pkcs8Ptr p8{d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der->size()))};
  const bool whole = p == end;
  OPENSSL_cleanse(der->data(), der->size());
  if (!p8 || !whole) {
    detail::clear_errors();
    return Errc::bad_key;
  }
  PkeyPtr pkey{EVP_PKCS82PKEY(p8.get())};
  if (!pkey) {
    detail::clear_errors();
    return Errc::bad_key;
  }
  auto type = detail::key_type_of(pkey.get());
  if (!type) return type.error();
  // A PKCS#8 file may carry a public key that does not belong to its private key (RFC 5958
  // OneAsymmetricKey); refuse it rather than sign under a keyid that will not verify.
  detail::PkeyCtxPtr check{EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr)};
  if (!check || EVP_PKEY_pairwise_check(check.get()) == 0) {
    detail::clear_errors();
    return Errc::bad_key;
  }
  detail::clear_errors();
  return Impl::adopt(std::move(pkey));
}

Result<SecretKey> SecretKey::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != 32) return Errc::bad_key;
  PkeyPtr pkey{EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr,
                                               reinterpret_cast<const unsigned char*>(seed.data()),
                                               seed.size())};
  if (!pkey) {
    detail::clear_errors();
    return Errc::bad_key;
  }
  return Impl::adopt(std::move(pkey));
}

KeyType SecretKey::type() const noexcept {
  return public_.type();
}

namespace {

MdCtxPtr new_sign_ctx(EVP_PKEY* pkey, KeyType type) {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, detail::digest_name(type), nullptr, nullptr,
                                    pkey, nullptr) != 1) {
    detail::clear_errors();
    return nullptr;
  }
  return ctx;
}

// One-shot EVP_DigestSign, sized first (ECDSA DER signatures vary in length). False on failure.
bool digest_sign(EVP_MD_CTX* ctx, std::string_view message, std::string& sig) {
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t len = 0;
  if (EVP_DigestSign(ctx, nullptr, &len, msg, message.size()) != 1) return false;
  sig.assign(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1) {
    return false;
  }
  sig.resize(len);
  return true;
}

// Whether an Ed25519 signing context may sign again after EVP_DigestSign (OpenSSL 3.0 and 3.1
// allow it, as `openssl speed` relies on; 3.2 made EVP_DigestSign one-shot per initialisation).
// Asked once per process with RFC 8032 section 7.1 TEST 1 (empty message, known signature), twice
// through the same context; if not, every signature gets a fresh context.
bool ed25519_sign_ctx_reusable() {
  static const bool reusable = [] {
    auto seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    auto expected = from_hex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
        "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    if (!seed || !expected) return false;
    PkeyPtr pkey{EVP_PKEY_new_raw_private_key_ex(
        nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(seed->data()),
        seed->size())};
    MdCtxPtr ctx = pkey ? new_sign_ctx(pkey.get(), KeyType::ed25519) : nullptr;
    std::string first;
    std::string second;
    const bool ok = ctx && digest_sign(ctx.get(), "", first) &&
                    digest_sign(ctx.get(), "", second) && first == *expected && second == *expected;
    detail::clear_errors();
    return ok;
  }();
  return reusable;
}

}  // namespace

std::string SecretKey::sign(std::string_view message) const {
  // Ed25519 keeps its signing contexts (setting one up fetches the algorithm from the provider
  // under a global lock); ECDSA makes one per call.
  const bool pooled = type() == KeyType::ed25519 && ed25519_sign_ctx_reusable();
  MdCtxPtr ctx = pooled ? impl_->sign_ctxs.take() : nullptr;
  if (!ctx) ctx = new_sign_ctx(impl_->pkey.get(), type());
  std::string sig;
  if (!ctx || !digest_sign(ctx.get(), message, sig)) {
    detail::clear_errors();
    throw std::runtime_error("crypto: signing failed");
  }
  if (pooled) impl_->sign_ctxs.give(std::move(ctx));
  return sig;
}

std::string SecretKey::pkcs8_pem() const {
  // A secure-heap memory BIO: its buffer is cleansed when freed.
  detail::BioPtr bio{BIO_new(BIO_s_secmem())};
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                            nullptr, nullptr) != 1) {
    detail::clear_errors();
    throw std::runtime_error("crypto: PKCS#8 encoding failed");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace tallystation::crypto
