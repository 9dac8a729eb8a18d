#pragma once
// Access to the OpenSSL object behind a key, for other files of crypto/ (x509.cpp signs
// certificates with it). Private to crypto/: public headers never name an OpenSSL type.
#include <openssl/evp.h>

#include "crypto/keys.hpp"

namespace tallystation::crypto::detail {

// Borrowed; valid while key (or a copy of it) lives.
EVP_PKEY* secret_pkey(const SecretKey& key);

}  // namespace tallystation::crypto::detail
