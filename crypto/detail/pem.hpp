#pragma once
// PEM armour (RFC 7468) over OpenSSL's PEM reader and writer, private to crypto/.
#include <string>
#include <string_view>

#include "crypto/result.hpp"

namespace tallystation::crypto::detail {

// The DER body of the first PEM block in pem, which must carry the label `label` (e.g.
// "PUBLIC KEY") and no headers (encrypted legacy PEM has some). Errc::bad_key otherwise.
// The caller owns the result; for secret material it cleanses it after use.
Result<std::string> pem_decode(std::string_view pem, std::string_view label);

std::string pem_encode(std::string_view der, std::string_view label);

}  // namespace tallystation::crypto::detail
