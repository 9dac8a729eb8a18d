#pragma once
// Duplicate-member detection for untrusted JSON, private to crypto/.
#include <string_view>

namespace tallystation::crypto::detail {

// True if text is one JSON document in which no object repeats a member name. Boost.JSON's DOM
// keeps the last of repeated members while other parsers keep the first; refusing repeats means
// that the station and a third-party verifier can never read two different payloads out of one
// envelope (RFC 8259 section 4: names "SHOULD be unique").
bool json_keys_unique(std::string_view text);

}  // namespace tallystation::crypto::detail
