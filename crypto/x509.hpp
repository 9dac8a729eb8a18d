#pragma once
// The station's TLS identity: a self-signed certificate over its TLS key, and its pinnable
// fingerprint (SHA-256 of the certificate DER, CONTRACT.md section 1). Thread safe.
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"
#include "crypto/result.hpp"

namespace tallystation::crypto {

// A self-signed X.509 v3 certificate (PEM) for key, with subject CN=common_name and the given
// subjectAltName entries (DNS names or IP addresses), valid for `days` days from now.
Result<std::string> make_self_signed_certificate(const SecretKey& key, std::string_view common_name,
                                                 const std::vector<std::string>& alt_names,
                                                 int days);

// Lowercase hex SHA-256 of the DER form of the first certificate in pem.
Result<std::string> certificate_fingerprint(std::string_view pem);

}  // namespace tallystation::crypto
