#pragma once
// RAII owners for OpenSSL objects, private to crypto/ (never included by a public header).
// Every OpenSSL object that crypto/ allocates is held by one of these from the line that creates
// it.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace tallystation::crypto::detail {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

inline void bio_free(BIO* b) {
  BIO_free_all(b);
}

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, bio_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Pkcs8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;
inline void general_names_free(GENERAL_NAMES* g) {
  GENERAL_NAMES_free(g);
}
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, general_names_free>>;

// The SHA-256 implementation, fetched once per process (an implicit fetch per call costs a
// lock and a name lookup in OpenSSL 3). Never null after first use; see hash.cpp.
const EVP_MD* sha256_md();

// Clears this thread's OpenSSL error queue, so that a refused input leaves nothing behind for the
// next caller on the thread to trip over.
void clear_errors() noexcept;

}  // namespace tallystation::crypto::detail
